"""Which language a person wrote in: English or Welsh, by lingua's models (Apache-2.0,
shipped in its wheel, so nothing is downloaded at run time).

Only the new text of a message is read (no quoted reply, no signature), and only the
languages a UK desk meets are compared, so a Welsh request is not mistaken for Irish or
Breton. A text too short to tell ("Yes", "Ie") has no language: the case keeps the
language of its request.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

# The languages foidesk can tell apart, by their ISO 639-1 codes. Only English and Welsh
# are answered in; the others are compared so that they are not taken for either.
KNOWN: dict[str, Language] = {
    "en": Language.ENGLISH, "cy": Language.WELSH, "ga": Language.IRISH,
    "fr": Language.FRENCH, "de": Language.GERMAN, "es": Language.SPANISH,
    "pl": Language.POLISH, "pt": Language.PORTUGUESE, "it": Language.ITALIAN,
}
CODES = {language: code for code, language in KNOWN.items()}
LANGUAGE_NAMES = {code: language.name.title() for code, language in KNOWN.items()}
# The likeliest language must be this likely, and this far ahead of the next: a text
# below either is too short or too mixed to tell.
MIN_CONFIDENCE = 0.5
MIN_MARGIN = 0.3
MIN_WORDS = 3
SAMPLE = 4000  # characters read: a long request says its language in its first page
# A word as a person writes it: letters, with an apostrophe or hyphen inside ("sy'n").
WORD = re.compile(r"^[(\"'“‘]*([^\W\d_]+(?:['’-][^\W\d_]+)*)[)\"'”’.,;:!?]*$")


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    # Low accuracy mode reads trigrams only: 14 MB and 0.14 s to load, where the full models
    # take 227 MB and 1.7 s in every flow run's process; over the labelled corpora both
    # find the same Welsh and no other (docs/welsh.md).
    return LanguageDetectorBuilder.from_languages(*KNOWN.values()) \
        .with_low_accuracy_mode().build()


def words_of(text: str) -> list[str]:
    """The words a person wrote: addresses, host names, links, numbers and codes (a
    bounce's Received lines, a signature's URL) say nothing of a language."""
    return [found.group(1) for token in text[:SAMPLE].split()
            if (found := WORD.match(token))]


def detect_language(text: str) -> str | None:
    """"cy", "en" (or another code in KNOWN) for the text, or None when it cannot tell."""
    found = words_of(text)
    if len(found) < MIN_WORDS:
        return None
    words = " ".join(found)
    values = _detector().compute_language_confidence_values(words)
    best = values[0].value if values else 0.0
    runner_up = values[1].value if len(values) > 1 else 0.0
    if best < MIN_CONFIDENCE or best - runner_up < MIN_MARGIN:
        return None
    return CODES[values[0].language]


def answer_language(detected: str | None, offered: tuple[str, ...]) -> str:
    """The language a request is answered in: its own when the authority offers it,
    otherwise the authority's first (its working language)."""
    return detected if detected in offered else offered[0]
