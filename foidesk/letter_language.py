"""A letter in the requester's language: the library's words (exemptions, outcomes,
labels) from the language's catalogue, and a list of the parts an officer still has to
translate, which keeps the draft from being approved.

The officer writes the answers, the note and a review's reasons; in a Welsh letter each
must be in Welsh. Each is read by the language detector: one that reads as English is
listed, as is any library text the catalogue has no Welsh for.
"""

from __future__ import annotations

from typing import Any

from foidesk.language import detect_language
from foidesk.translation import Catalogue


def _needs_translating(text: str, language: str) -> bool:
    """Officer's text that reads as another language (too short to tell: trusted)."""
    found = detect_language(text or "")
    return found is not None and found != language


def translate_letter(context: dict[str, Any], catalogue: Catalogue,
                     unanswered: str) -> dict[str, Any]:
    """The letter context with the library's words in the catalogue's language and
    `untranslated`: what the officer must still translate before approval. `unanswered`
    (what a withheld question says, in English) comes back in the language as
    `unanswered`, for the caller to group the answers with."""
    language = catalogue.language
    authority = context["authority"]
    name = getattr(authority, "name_cy", authority.name) if language == "cy" else authority.name
    missing: list[str] = []

    def library(english: str, what: str, context_name: str | None = None) -> str:
        if not english:
            return ""
        found = catalogue.get(english, context_name)
        if found is None:
            missing.append(what)
            return english
        return found

    exemptions = []
    for e in context["exemptions"]:
        entry, code = e["entry"], e["citation"]
        exemptions.append({
            **e,
            "title": library(entry.title, f"the title of {code}", "exemption"),
            **{part: library(getattr(entry, part), f"the {word} text of {code}").replace(
                "{authority}", name)
               for part, word in (("harm", "harm"), ("favouring", "factors favouring"),
                                  ("against", "factors against"), ("balance", "balance"))},
        })
    for q in context["questions"]:
        if _needs_translating(q["answer"], language):
            missing.append(f"the answer to question {q['number']}")
    if _needs_translating(context["note"], language):
        missing.append("the note")
    for reason in context["reasons"]:
        if _needs_translating(reason["text"], language):
            missing.append(f"the reason {reason['issue'] or 'given'}".strip())
    commissioner = {**context["commissioner"],
                    "name": catalogue.get(context["commissioner"]["name"])
                    or context["commissioner"]["name"],
                    "in_text": catalogue.get(context["commissioner"]["in_text"])
                    or context["commissioner"]["in_text"]}
    return {
        **context,
        "exemptions": exemptions,
        "unanswered": library(unanswered, "the words for a withheld question"),
        "outcome_label": library(context["outcome_label"], "the outcome", "outcome"),
        "documents": [{**d, "label": library(d["label"], f"document {d['number']}'s label",
                                             "document")} for d in context["documents"]],
        "commissioner": commissioner,
        "untranslated": list(dict.fromkeys(missing)),
    }
