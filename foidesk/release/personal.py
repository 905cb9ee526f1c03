"""Personal data patterns in text a file would release: counted per place, never quoted
(a finding must not itself carry the data it warns of)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from foidesk.release.findings import Finding

PATTERNS: dict[str, re.Pattern[str]] = {
    "email address": re.compile(r"\b[\w.+'-]+@[\w-]+(?:\.[\w-]+)+\b"),
    # UK numbers: +44 or 0, then 9 or 10 digits, spaces allowed (Ofcom's ranges, loosely).
    "UK phone number": re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|0)(?:\d\s?){9,10}(?!\d)"),
    # HMRC: two prefix letters (not D, F, I, Q, U, V; not O second), six digits, A-D.
    "National Insurance number": re.compile(
        r"\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\s?\d{2}\s?\d{2}\s?\d{2}"
        r"\s?[A-D]\b", re.IGNORECASE),
    "postcode": re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b"),
    "date of birth": re.compile(
        r"\b(?:d\.?o\.?b\.?|date of birth|born(?: on)?)\s*[:\-]?\s*\d{1,2}[/.\- ]"
        r"(?:\d{1,2}|[A-Za-z]{3,9})[/.\- ]\d{2,4}", re.IGNORECASE),
    # Current GB format (two letters, two digits, three letters) and the older prefix one.
    "vehicle registration": re.compile(r"\b(?:[A-Z]{2}\d{2}\s?[A-Z]{3}|[A-Z]\d{1,3}\s?[A-Z]{3})\b"),
}


def personal_data(texts: Iterable[tuple[str, str]], names: Iterable[str] = ()) -> list[Finding]:
    """Counts of each pattern, and of each known person's name, per place. `texts` is
    (place, text); `names` the people the register knows (requester, owners, staff)."""
    wanted = [n for n in {n.strip() for n in names} if len(n) >= 5 and " " in n]
    findings: list[Finding] = []
    for place, text in _merged(texts):
        counts: Counter[str] = Counter()
        for kind, pattern in PATTERNS.items():
            counts[kind] += len(pattern.findall(text))
        lowered = text.lower()
        named = sum(lowered.count(name.lower()) for name in wanted)
        if named:
            counts["name of a person the register knows"] += named
        findings += [Finding(f"personal data: {kind}", place, _times(n))
                     for kind, n in counts.items() if n]
    return findings


def _merged(texts: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    joined: dict[str, list[str]] = {}
    for place, text in texts:
        joined.setdefault(place, []).append(text)
    return [(place, "\n".join(parts)) for place, parts in joined.items()]


def _times(n: int) -> str:
    return "1 occurrence" if n == 1 else f"{n:,} occurrences"
