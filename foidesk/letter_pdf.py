"""A letter as an A4 PDF in DejaVu Sans: headings kept with what follows them, the
sign-off kept together, DRAFT across every page of a draft.

Apart from foidesk.letters because fpdf and matplotlib's fonts take a good part of a
second to load: a process loads them when it first makes a letter, not at start-up.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import NamedTuple

from fontTools.ttLib import TTFont
from fpdf import FPDF

from foidesk.letters import is_heading


class PdfWords(NamedTuple):
    """The words the PDF itself prints: its page numbers and a draft's marks."""

    page: str = "Page {page} of {pages}"
    draft: str = "DRAFT"
    draft_footer: str = "DRAFT - not approved for release - "


FONTS = resources.files("matplotlib") / "mpl-data" / "fonts" / "ttf"
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
