"""Files of `../shared`, the folder CI and every developer have beside the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def shared_path(*parts: str) -> Path:
    """A file or folder of `../shared` (the public corpora, the seed letter). A clone with
    nothing beside it skips the test; with FOIDESK_REQUIRE_CORPORA=1 (CI) it fails."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"{path} is not there: the shared corpora sit beside the repository"
        if os.environ.get("FOIDESK_REQUIRE_CORPORA") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path
