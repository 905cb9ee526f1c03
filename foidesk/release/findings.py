"""One thing a pre-release check found, and where."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Finding:
    """`kind` says what ("hidden sheet"), `place` where ("sheet 'Staff'"), `detail` what an
    officer needs to decide ("9,484 rows")."""

    kind: str
    place: str
    detail: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    def __str__(self) -> str:
        return f"{self.kind} at {self.place}" + (f": {self.detail}" if self.detail else "")
