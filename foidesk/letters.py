"""Letters: the response (and review outcome) rendered from templates, and as a PDF.

The PDF is made by fpdf2, pure Python with no system library, from the same text
the email carries, so the two can never disagree. Its font is DejaVu Sans as matplotlib
ships it, so a fresh machine needs no system fonts and any name renders.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any, NamedTuple

from fontTools.ttLib import TTFont
from fpdf import FPDF

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


class PdfWords(NamedTuple):
    """The words the PDF itself prints: its page numbers and a draft's marks."""

    page: str = "Page {page} of {pages}"
    draft: str = "DRAFT"
    draft_footer: str = "DRAFT - not approved for release - "


FONTS = resources.files("matplotlib") / "mpl-data" / "fonts" / "ttf"
HEADING_PREFIXES = ("Response to your request", "Your right to", "Section ", "Regulation ",
                    "Article ", "Harm (", "Balance test", "Grounds of ",
                    "The reviewer's ",
                    # a Welsh letter's
                    "Adran ", "Rheoliad ", "Erthygl ", "Niwed (", "Prawf cydbwysedd")
KEEP_WITH_NEXT = 22  # mm: a heading needs this much room below it, or starts a new page
SIGN_OFF = 30  # mm: the valediction, the signatory's name, role and authority, kept together


class _LetterPdf(FPDF):
    """A4 letter pages; a draft's every page says DRAFT across it."""

    def __init__(self, *, draft: bool, words: PdfWords | None = None) -> None:
        super().__init__(format="A4")
        self.draft = draft
        self.words = words or PdfWords()
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))

    def header(self) -> None:
        if not self.draft:
            return
        style = (self.font_family, self.font_style, self.font_size_pt)
        self.set_font("DejaVu", "B", 96)
        self.set_text_color(215, 215, 215)
        with self.rotation(55, x=self.w / 2, y=self.h / 2):
            width = self.get_string_width(self.words.draft)
            self.text(self.w / 2 - width / 2, self.h / 2 + 12, self.words.draft)
        self.set_text_color(0, 0, 0)
        self.set_font(style[0] or "DejaVu", style[1], style[2])

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(90, 90, 90)
        mark = self.words.draft_footer if self.draft else ""
        page = self.words.page.format(page=self.page_no(), pages="{nb}")
        self.cell(0, 5, f"{mark}{page}", align="C")
        self.set_text_color(0, 0, 0)


@functools.cache
def _covered() -> frozenset[int]:
    """The code points DejaVu Sans has glyphs for, both weights."""
    found: set[int] = set()
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        with TTFont(str(FONTS / name), lazy=True) as font:
            found |= set(font.getBestCmap())
    return frozenset(found)


def unrenderable(text: str) -> str:
    """The characters of `text` the letter's font cannot show (Chinese, say), in order."""
    covered = _covered()
    return "".join(dict.fromkeys(c for c in text if ord(c) not in covered and c not in "\n\r"))


def _renderable(text: str) -> str:
    """Each character the font cannot show becomes U+FFFD, so a gap is seen, never silent."""
    missing = unrenderable(text)
    return text.translate({ord(c): "\ufffd" for c in missing}) if missing else text


def pdf_of(text: str, *, title: str, author: str, draft: bool = False,
           valediction: str = "", words: PdfWords | None = None) -> bytes:
    """A4 PDF of the letter text in DejaVu Sans (every character a name or an answer may
    hold), headings kept with what follows them, the sign-off kept together, and DRAFT
    across every page of a draft."""
    words = words or PdfWords()
    pdf = _LetterPdf(draft=draft, words=words)
    pdf.set_title(f"{words.draft}: {title}" if draft else title)
    pdf.set_author(author)
    pdf.alias_nb_pages()
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(20, 18, 20)
    pdf.add_page()
    first = True
    for line in _renderable(text).splitlines():
        if first and line.strip():
            pdf.set_font("DejaVu", "B", 13)
            pdf.multi_cell(0, 7, line.strip(), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("DejaVu", size=10)
            first = False
            continue
        if not line.strip():
            pdf.ln(3)
            continue
        heading = is_heading(line)
        signing = bool(valediction) and line.strip() == valediction.strip()
        if (heading and pdf.will_page_break(KEEP_WITH_NEXT)) or (
                signing and pdf.will_page_break(SIGN_OFF)):
            pdf.add_page()
        pdf.set_font("DejaVu", "B" if heading else "", 10)
        pdf.multi_cell(0, 5.2, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


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
