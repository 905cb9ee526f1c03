"""Counts as a person writes them: "1 working day", "5 working days", "no cases"."""

from __future__ import annotations

IRREGULAR = {"day": "days", "case": "cases", "reply": "replies", "query": "queries",
             "match": "matches", "box": "boxes", "person": "people"}


def plural(noun: str) -> str:
    """The plural of a noun phrase: its last word made plural."""
    head, _, last = noun.rpartition(" ")
    if last in IRREGULAR:
        made = IRREGULAR[last]
    elif last.endswith(("s", "x", "ch", "sh")):
        made = last + "es"
    elif last.endswith("y") and last[-2:-1] not in "aeiou":
        made = last[:-1] + "ies"
    else:
        made = last + "s"
    return f"{head} {made}" if head else made


def count(n: int, noun: str, plural_form: str | None = None) -> str:
    """`count(1, "working day")` -> "1 working day"; `count(5, ...)` -> "5 working days"."""
    return f"{n:,} {noun if abs(n) == 1 else plural_form or plural(noun)}"


def days_left(n: int) -> str:
    """Working days to a deadline as a sentence part: "5 working days away", "due today",
    "2 working days late"."""
    if n > 0:
        return f"{count(n, 'working day')} away"
    if n == 0:
        return "due today"
    return f"{count(-n, 'working day')} late"
