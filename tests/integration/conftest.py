"""Fixtures shared by the integration tests."""

from __future__ import annotations

import pytest

from foidesk.register.database import create_register_engine
from foidesk.register.migrate import upgrade


@pytest.fixture
def engine(database_url):
    """A migrated register on each backend `database_url` names."""
    engine = create_register_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()
