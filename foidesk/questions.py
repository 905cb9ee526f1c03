"""Split a request into its numbered items (1, 2, 3a, 3b ...), as the response answers them."""

from __future__ import annotations

import re

from foidesk.triage.newtext import request_words, strip_wdtk_footer

# "1 Has your...", "1. Has", "1) Has", "3a If", "(2) How", "Q4: What", "6b How"
ITEM = re.compile(
    r"^\s*(?:(?:Q(?:uestion)?|Cwestiwn)\s*)?\(?(\d{1,2}[a-z]?|[a-z])[.):]?\s+(?=\S)",
    re.IGNORECASE
)
MAX_ITEMS = 60


def split_questions(text: str) -> list[tuple[str, str]]:
    """Numbered items with their text; the whole text as item "1" when there are none.

    A line that starts with a number (optionally with a letter: 3a) begins an
    item; following lines continue it. Lettered sub-points under an item ("A which
    companies") stay part of that item, as in the seed letter's question 9. The
    letter around the request (greeting, sign-off, signature, WhatDoTheyKnow's
    footer) never becomes or ends a question.
    """
    text = request_words(strip_wdtk_footer(text))
    items: list[list[str]] = []
    numbers: list[str] = []
    preamble: list[str] = []
    for line in text.splitlines():
        match = ITEM.match(line)
        number = match.group(1).lower() if match else None
        if number and number[0].isdigit() and _follows(numbers, number):
            numbers.append(number)
            items.append([line[match.end():].strip()])
        elif items:
            if line.strip():
                items[-1].append(line.strip())
            elif items[-1][-1] != "":
                items[-1].append("")
        else:
            preamble.append(line)
    if len(items) < 2 or len(items) > MAX_ITEMS:
        whole = " ".join(text.split())
        return [("1", whole)] if whole else []
    return [(n, join_paragraphs(lines)) for n, lines in zip(numbers, items, strict=True)]


def _follows(numbers: list[str], number: str) -> bool:
    """A new item only when it continues the numbering (1, 2, 3, 3a, 3b, 4 ...)."""
    value = int(re.match(r"\d+", number).group())  # type: ignore[union-attr]
    if not numbers:
        return value == 1
    last = int(re.match(r"\d+", numbers[-1]).group())  # type: ignore[union-attr]
    return value in (last, last + 1) and number != numbers[-1]


def join_paragraphs(lines: list[str], separator: str = "\n") -> str:
    """Lines joined into paragraphs: wrapped lines become one, blank lines separate."""
    paragraphs, current = [], []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return separator.join(paragraphs)
