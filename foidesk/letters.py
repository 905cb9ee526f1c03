"""Letters: the response (and review outcome) rendered from templates, and as a PDF.

The PDF is made by fpdf2, pure Python with no system library, from the same text
the email carries, so the two can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fpdf import FPDF

from foidesk.drafting import NEEDS_EXEMPTION, OUTCOME_LABELS, DraftContent, Outcome
from foidesk.exemptions import find as find_exemption
from foidesk.rendering import Renderer

ICO = {
    "name": "The Information Commissioner's Office",
    "address": "Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF",
    "telephone": "0303 123 1113",
    "web": "https://ico.org.uk/make-a-complaint/",
}
SCOTTISH_COMMISSIONER = {
    "name": "The Scottish Information Commissioner",
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
                   review_days: int) -> dict[str, Any]:
    """Everything the letter templates read."""
    exemptions = []
    for citation in content.exemptions:
        entry = find_exemption(citation)
        exemptions.append({
            "citation": citation, "entry": entry,
            "harm": entry.harm.replace("{authority}", authority.name),
            "favouring": entry.favouring.replace("{authority}", authority.name),
            "against": entry.against.replace("{authority}", authority.name),
            "balance": entry.balance.replace("{authority}", authority.name),
        })
    return {
        "authority": authority,
        "case": case,
        "letter_date": letter_date,
        "questions": [
            {"number": q.number, "text": q.text,
             "answer": content.answers.get(q.number.lower(), "")}
            for q in case.questions
        ],
        "outcome": content.outcome.value,
        "outcome_label": OUTCOME_LABELS[content.outcome],
        "withholds": content.outcome in NEEDS_EXEMPTION,
        "ncnd": content.outcome in (Outcome.NCND, Outcome.PARTIAL_NCND),
        "exemptions": exemptions,
        "note": content.note,
        "review_days": review_days,
        "commissioner": SCOTTISH_COMMISSIONER if authority.jurisdiction == "scotland" else ICO,
        "requester_name": case.requester.name if case.requester else "",
    }


def render_letter(renderer: Renderer, name: str, context: dict[str, Any]) -> Letter:
    """`letters/<name>.subject.j2`, `.txt.j2` and `.html.j2`, and the PDF of the text."""
    env = renderer.env
    subject = " ".join(env.get_template(f"letters/{name}.subject.j2").render(**context).split())
    text = env.get_template(f"letters/{name}.txt.j2").render(**context)
    html = env.get_template(f"letters/{name}.html.j2").render(**context)
    return Letter(subject, text, html, pdf_of(text, title=subject,
                                               author=context["authority"].name))


_PUNCTUATION = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
    "\u2014": "-", "\u2026": "...", "\u00a0": " ", "\u2022": "-",
})


def pdf_of(text: str, *, title: str, author: str) -> bytes:
    """A4 PDF of the letter text (core fonts: Latin-1; other characters become '?')."""
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(20, 18, 20)
    pdf.add_page()
    lines = text.translate(_PUNCTUATION).encode("latin-1", "replace").decode("latin-1")
    first = True
    for line in lines.splitlines():
        if first and line.strip():
            pdf.set_font("Helvetica", "B", 13)
            pdf.multi_cell(0, 7, line.strip(), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", size=10.5)
            first = False
            continue
        if not line.strip():
            pdf.ln(3)
            continue
        bold = line.isupper() or line.startswith(("Response to your request",
                                                   "Your right to", "Section ", "Regulation "))
        pdf.set_font("Helvetica", "B" if bold else "", 10.5)
        pdf.multi_cell(0, 5.2, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
