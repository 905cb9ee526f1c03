"""Welsh words that are not whole templates: the names of the law, the exemptions and
their standard text, outcome and decision labels. They live in a gettext catalogue,
`templates/<language>/messages.po`, keyed by their English source, so an authority's
translation service reviews them with its own tools and overrides any of them in the
same override folder as the templates (its entries win, one by one).

An entry marked `#. unreviewed` was written for foidesk and needs a fluent reviewer's
sign-off before live use; docs/welsh.md lists them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.pofile import read_po

UNREVIEWED = "unreviewed"


@dataclass(frozen=True)
class Entry:
    english: str
    translated: str
    context: str | None = None
    reviewed: bool = True


@dataclass
class Catalogue:
    """One language's strings by (context, English)."""

    language: str
    entries: dict[tuple[str | None, str], Entry] = field(default_factory=dict)

    def get(self, english: str, context: str | None = None) -> str | None:
        """The translation of `english`, or None when nobody has translated it yet."""
        entry = self.entries.get((context, english.strip()))
        return entry.translated if entry is not None and entry.translated else None


def read_catalogue(path: Path, language: str) -> Catalogue:
    """One .po file's entries (the header, and entries with no msgid, are skipped)."""
    catalogue = Catalogue(language)
    with path.open("rb") as handle:
        for message in read_po(handle, locale=None):
            if not message.id or not isinstance(message.id, str):
                continue
            reviewed = not any(UNREVIEWED in comment for comment in message.auto_comments)
            catalogue.entries[(message.context, message.id.strip())] = Entry(
                message.id.strip(), (message.string or "").strip(), message.context,
                reviewed)
    return catalogue


def load_catalogue(folders: list[Path], language: str) -> Catalogue:
    """`<folder>/<language>/messages.po` of each folder, the first folder's entries over
    the later ones' (the override folder comes first, foidesk's own last)."""
    merged = Catalogue(language)
    for folder in reversed(folders):
        path = folder / language / "messages.po"
        if path.is_file():
            merged.entries.update(read_catalogue(path, language).entries)
    return merged
