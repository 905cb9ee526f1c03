"""Letters: the response (and review outcome) rendered from templates, and as a PDF.

The PDF is made by fpdf2, pure Python with no system library, from the same text
the email carries, so the two can never disagree. Its font is DejaVu Sans as matplotlib
ships it, so a fresh machine needs no system fonts and any name renders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from foidesk.drafting import NEEDS_EXEMPTION, OUTCOME_LABELS, DraftContent, Outcome
from foidesk.exemptions import find as find_exemption
from foidesk.law import law_of
from foidesk.letter_language import translate_letter
from foidesk.release.decisions import LABELS
from foidesk.rendering import Renderer
from foidesk.translation import Catalogue
from foidesk.welsh import valediction as welsh_valediction

ICO = {
    "key": "ico",
    "name": "The Information Commissioner's Office",
    "in_text": "the Information Commissioner",
    "address": "Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF",
    "telephone": "0303 123 1113",
    "web": "https://ico.org.uk/make-a-complaint/",
}
SCOTTISH_COMMISSIONER = {
    "key": "sic",
    "name": "The Scottish Information Commissioner",
    "in_text": "the Scottish Information Commissioner",
    "address": "Kinburn Castle, Doubledykes Road, St Andrews, Fife KY16 9DS",
    "telephone": "01334 464610",
    "web": "https://www.foi.scot/appeal",
}


@dataclass(frozen=True)
class Letter:
    subject: str
    text: str
    html: str
    pdf: bytes


def letter_context(case, content: DraftContent, authority: Any, *, letter_date: date,
                   review_days: int, original=None, draft: bool = False,
                   reviewer_name: str = "", delivery: dict[str, Any] | None = None,
                   renderer: Renderer | None = None) -> dict[str, Any]:
    """Everything the letter templates read, in the case's language (a Welsh case's
    context lists what the officer must still translate: `untranslated`)."""
    exemptions = []
    for citation in content.exemptions:
        entry = find_exemption(citation, case.regime)
        exemptions.append({
            "citation": citation, "entry": entry, "title": entry.title,
            "harm": entry.harm.replace("{authority}", authority.name),
            "favouring": entry.favouring.replace("{authority}", authority.name),
            "against": entry.against.replace("{authority}", authority.name),
            "balance": entry.balance.replace("{authority}", authority.name),
        })
    withholds = content.outcome in NEEDS_EXEMPTION
    questions = [
        {"number": q.number, "text": q.text,
         "answer": content.answers.get(q.number.lower(), "")}
        for q in case.questions
    ]
    requester = case.requester
    context = {
        "language": getattr(case, "language", "en") or "en",
        "untranslated": [],
        "authority": authority,
        "case": case,
        "original": original,
        "draft": draft,
        "letter_date": letter_date,
        "questions": questions,
        "answer_groups": answer_groups(questions, COVERED if withholds else ""),
        "outcome": content.outcome.value,
        "outcome_label": OUTCOME_LABELS[content.outcome],
        "withholds": withholds,
        "ncnd": content.outcome in (Outcome.NCND, Outcome.PARTIAL_NCND),
        "exemptions": exemptions,
        "note": content.note,
        "reasons": [{"issue": issue, "text": text}
                    for issue, text in (content.reasons or {}).items()],
        "respond_by": content.respond_by,
        "grounds": (case.request_text or "").strip() if original is not None else "",
        "reviewer_name": reviewer_name,
        "review_days": review_days,
        "commissioner": (SCOTTISH_COMMISSIONER if case.regime in SCOTTISH_REGIMES
                         or (authority.jurisdiction == "scotland" and case.regime != "sar")
                         else ICO),
        "requester_name": requester.name if requester else "",
        "requester_address": (requester.postal_address or "").strip() if requester else "",
        "law": law_of(case.regime),
        "signer": authority.signatory(case.regime),
        "documents": [{"number": d.number, "name": d.filename,
                       "label": LABELS[d.decision], "exemption": d.exemption or ""}
                      for d in getattr(case, "documents", []) if d.decision],
        "delivery": delivery or {},
    }
    if context["language"] != "en" and renderer is not None:
        catalogue = renderer.catalogue(context["language"])
        context = translate_letter(context, catalogue, COVERED if withholds else "")
        context["answer_groups"] = answer_groups(questions, context["unanswered"], catalogue)
    return context


COVERED = "This part of your request is covered by the decision below."
SCOTTISH_REGIMES = frozenset({"foisa", "foisa-review", "eirs", "eirs-review"})


def answer_groups(questions: list[dict[str, str]], unanswered: str,
                  catalogue: Catalogue | None = None) -> list[dict[str, Any]]:
    """Consecutive questions with the same answer, answered once: "Questions 3 to 9"
    (in the catalogue's language when one is given)."""
    def words(english: str) -> str:
        return (catalogue.get(english) if catalogue is not None else None) or english

    groups: list[dict[str, Any]] = []
    for question in questions:
        answer = question["answer"] or unanswered
        if groups and answer and groups[-1]["answer"] == answer:
            groups[-1]["numbers"].append(question["number"])
        else:
            groups.append({"numbers": [question["number"]], "answer": answer})
    for group in groups:
        numbers = group["numbers"]
        group["label"] = (
            numbers[0] if len(numbers) == 1 else
            words("Questions {first} and {second}:").format(first=numbers[0],
                                                            second=numbers[1])
            if len(numbers) == 2 else
            words("Questions {first} to {last}:").format(first=numbers[0], last=numbers[-1]))
    return groups


def render_letter(renderer: Renderer, name: str, context: dict[str, Any]) -> Letter:
    """`letters/<name>.subject.j2`, `.txt.j2` and `.html.j2`, and the PDF of the text."""
    from foidesk.letter_pdf import PdfWords, pdf_of  # fpdf loads with the first letter

    env = renderer.env
    language = context.get("language", "en")
    folder = renderer.folder("letters", name, language)
    subject = " ".join(env.get_template(f"{folder}/{name}.subject.j2").render(**context).split())
    text = env.get_template(f"{folder}/{name}.txt.j2").render(**context)
    html = env.get_template(f"{folder}/{name}.html.j2").render(
        **context, paragraphs=paragraphs(text))
    authority = context["authority"]
    words = PdfWords()
    valediction = getattr(authority, "valediction", "")
    if language != "en":
        catalogue = renderer.catalogue(language)
        words = PdfWords(*(catalogue.get(english, "pdf") or english for english in PdfWords()))
        valediction = welsh_valediction(authority, catalogue)
    return Letter(subject, text, html, pdf_of(
        text, title=subject, author=authority.name, draft=bool(context.get("draft")),
        valediction=valediction, words=words))


HEADING_PREFIXES = ("Response to your request", "Your right to", "Section ", "Regulation ",
                    "Article ", "Harm (", "Balance test", "Grounds of ",
                    "The reviewer's ",
                    # a Welsh letter's
                    "Adran ", "Rheoliad ", "Erthygl ", "Niwed (", "Prawf cydbwysedd")


def paragraphs(text: str) -> list[dict[str, Any]]:
    """The letter's text as paragraphs for its HTML twin: each its lines, and whether it
    is a heading, so the email's two parts say the same words."""
    found: list[dict[str, Any]] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if lines:
            found.append({"lines": lines, "heading": len(lines) == 1 and is_heading(lines[0])})
    return found


def is_heading(line: str) -> bool:
    """A line the letter sets in bold: capitals, or one of the letters' short headings (a
    sentence that starts "Section 24(2) is ..." is not one)."""
    stripped = line.strip()
    if stripped.isupper() and len(stripped) > 3:
        return True
    return (stripped.startswith(HEADING_PREFIXES) and len(stripped) <= 90
            and not stripped.endswith((".", ":")))
