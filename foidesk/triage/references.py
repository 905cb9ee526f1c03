"""Case references in free text, written tolerantly: `FOI 003787/18`, `FOI-3787-18`,
`FOI3787/18`, `ref 003787/18`."""

from __future__ import annotations

import re
from datetime import date

from foidesk.references import ReferenceFormat


class ReferenceFinder:
    """Finds the authority's case references in text, however they were typed."""

    def __init__(self, fmt: ReferenceFormat) -> None:
        self.fmt = fmt
        literal = fmt.template.split("{", 1)[0]
        self.prefix = re.sub(r"[^A-Za-z]", "", literal) or "FOI"
        self.pattern = re.compile(
            rf"(?<![A-Za-z0-9])({re.escape(self.prefix)}|ref(?:erence)?(?:\s*(?:no|number)\.?)?)"
            r"\s*[-:#.]?\s*(\d{1,9})\s*[/-]\s*(\d{4}|\d{2})(?!\d)",
            re.IGNORECASE,
        )

    def find(self, *texts: str, own_prefix_only: bool = False) -> list[str]:
        """Every reference in the texts, rendered in the authority's format; with
        `own_prefix_only`, only those written with the format's prefix ("FOI ...")."""
        found: list[str] = []
        for text in texts:
            for match in self.pattern.finditer(text or ""):
                if own_prefix_only and match.group(1).lower() != self.prefix.lower():
                    continue
                seq, year = int(match.group(2)), match.group(3)
                full_year = int(year) if len(year) == 4 else 2000 + int(year)
                if not 1990 <= full_year <= 2199:
                    continue  # "ref 12/0000" is no case of ours
                reference = self.fmt.render(seq, date(full_year, 1, 1))
                if reference not in found:
                    found.append(reference)
        return found
