"""Case references such as `FOI 003787/18`: the format and its sequence scope."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

FIELDS = {"seq", "yy", "yyyy"}


class SequenceScope(StrEnum):
    PER_YEAR = "per-year"  # numbering restarts at 1 each calendar year
    CONTINUOUS = "continuous"  # one sequence for ever


class ReferenceFormatError(ValueError):
    """A reference format that cannot produce references."""


@dataclass(frozen=True)
class ReferenceFormat:
    """A Python format string over `seq`, `yy` and `yyyy`, for example `FOI {seq:06d}/{yy}`."""

    template: str = "FOI {seq:06d}/{yy}"
    scope: SequenceScope = SequenceScope.PER_YEAR

    def __post_init__(self) -> None:
        try:
            names = {n for _, n, _, _ in string.Formatter().parse(self.template) if n is not None}
        except ValueError as error:
            raise ReferenceFormatError(f"is not a valid format string ({error})") from None
        unknown = names - FIELDS
        if unknown:
            raise ReferenceFormatError(
                f"uses unknown field(s) {', '.join(sorted(unknown))}; "
                f"known: {{seq}}, {{yy}}, {{yyyy}}"
            )
        try:
            self.template.format(seq=1, yy="18", yyyy="2018")
        except (ValueError, IndexError) as error:
            raise ReferenceFormatError(f"is not a valid format string ({error})") from None
        if "seq" not in names:
            raise ReferenceFormatError("must contain {seq}, or every reference would be equal")
        if self.scope is SequenceScope.PER_YEAR and not names & {"yy", "yyyy"}:
            raise ReferenceFormatError(
                "restarts numbering each year, so it must contain {yy} or {yyyy}"
            )

    def sequence_key(self, received: date) -> str:
        """Which counter a request received on `received` draws from."""
        if self.scope is SequenceScope.PER_YEAR:
            return str(received.year)
        return "all"

    def render(self, seq: int, received: date) -> str:
        return self.template.format(
            seq=seq, yy=f"{received.year % 100:02d}", yyyy=str(received.year)
        )


def file_stem(reference: str) -> str:
    """A reference as a file name's stem: `FOI 000001/26-IR` -> `FOI-000001-26-IR`."""
    return re.sub(r"[^A-Za-z0-9]+", "-", reference).strip("-")
