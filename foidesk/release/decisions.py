"""What an officer decides for each document: release it, release a clean copy, release it
redacted, or withhold it under an exemption; an override says why a finding may stand."""

from __future__ import annotations

import re
from dataclasses import dataclass

DECISIONS = ("release", "clean", "redact", "withhold")
LABELS = {"release": "released in full", "clean": "released as a clean copy",
          "redact": "released redacted", "withhold": "withheld"}


class DocumentRefused(ValueError):
    """A release decision that cannot be carried out, or a response with unresolved findings."""


@dataclass(frozen=True)
class DocumentDecision:
    decision: str
    exemption: str = ""
    terms: tuple[str, ...] = ()
    override: str = ""
    tracked: str = "accept"  # a Word document's tracked changes: accept or refuse

    def __post_init__(self) -> None:
        if self.decision not in DECISIONS:
            raise DocumentRefused(f"a document is {', '.join(DECISIONS)}; got "
                                  f"{self.decision!r}")
        if self.decision == "withhold" and not self.exemption:
            raise DocumentRefused("a withheld document needs the exemption relied on "
                                  "(WITHHOLD 2 s40(2))")
        if self.decision == "redact" and not self.terms:
            raise DocumentRefused("a redaction needs the words to remove "
                                  "(REDACT 3: Alan Smith; AB 12 34 56 C)")
        if self.tracked not in ("accept", "refuse"):
            raise DocumentRefused(f"tracked changes are accepted or refused, not "
                                  f"{self.tracked!r}")


# The officer's plain-format lines: RELEASE 1 3 / CLEAN 2 [refuse changes] / REDACT 3: a; b /
# WITHHOLD 4 s40(2) / OVERRIDE 1: reason.
LINE = re.compile(r"^\s*(release|clean|redact|withhold|override)\s+(\d+(?:[\s,]+\d+)*)"
                  r"\s*(?::\s*(.*?)|\s+(.*?))?\s*$", re.IGNORECASE)


def document_line(line: str) -> tuple[str, list[int], str] | None:
    """(verb, numbers, the rest) of a document line, or None."""
    found = LINE.match(line)
    if not found:
        return None
    numbers = [int(n) for n in re.findall(r"\d+", found.group(2))]
    return found.group(1).lower(), numbers, (found.group(3) or found.group(4) or "").strip()


def decisions_from(lines: list[tuple[str, list[int], str]]) -> dict[int, DocumentDecision]:
    """The decisions the lines make; an OVERRIDE applies to the decision on its document."""
    chosen: dict[int, dict[str, object]] = {}
    overrides: dict[int, str] = {}
    for verb, numbers, rest in lines:
        for number in numbers:
            if verb == "override":
                overrides[number] = rest or ""
            elif verb == "withhold":
                chosen[number] = {"decision": verb, "exemption": rest.split()[0] if rest else ""}
            elif verb == "redact":
                chosen[number] = {"decision": verb,
                                  "terms": tuple(t.strip() for t in rest.split(";") if t.strip())}
            elif verb == "clean":
                chosen[number] = {"decision": verb,
                                  "tracked": "refuse" if "refus" in rest.lower() else "accept"}
            else:
                chosen[number] = {"decision": verb}
    for number, reason in overrides.items():
        if not reason:
            raise DocumentRefused(f"OVERRIDE {number} needs a reason after a colon")
        chosen.setdefault(number, {"decision": "release"})["override"] = reason
    return {n: DocumentDecision(**fields) for n, fields in chosen.items()}  # type: ignore[arg-type]
