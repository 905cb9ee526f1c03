"""PDFs: metadata, annotations, attached files, JavaScript, form fields, earlier versions
kept by incremental updates, and live text beneath filled rectangles; a clean copy without
them, and redaction that removes the text rather than covering it.

pikepdf (MPL-2.0, on qpdf) reads and rewrites the object tree; pypdfium2 (Apache-2.0 or
BSD-3, on PDFium) finds text and where it lies on the page, and renders a redacted page.
"""

from __future__ import annotations

import ctypes
import io
import re

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import ImageDraw

from foidesk.release.findings import Finding
from foidesk.release.personal import personal_data

DARK = 80  # a fill darker than this on every channel hides what is beneath it
REDACTION_DPI = 150


def check_pdf(data: bytes, names: tuple[str, ...] = ()) -> list[Finding]:
    findings: list[Finding] = []
    texts = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        findings += _metadata(pdf)
        findings += _structure(pdf)
        texts += [(f"annotations on page {n}", str(a.get("/Contents", "")))
                  for n, page in enumerate(pdf.pages, start=1) for a in page.get("/Annots", [])]
    updates = len(re.findall(rb"%%EOF", data))
    if updates > 1:
        findings.append(Finding("incremental updates", "the file's trailer",
                                f"{updates - 1} later versions appended: the earlier ones "
                                "can still be read"))
    document = pdfium.PdfDocument(data)
    try:
        for number, page in enumerate(document, start=1):
            textpage = page.get_textpage()
            texts.append((f"page {number}", textpage.get_text_range()))
            covered = _text_under_boxes(page, textpage)
            if covered:
                findings.append(Finding("text beneath a filled rectangle", f"page {number}",
                                        f"{covered} characters of live text under black "
                                        "boxes: a box drawn over text is not a redaction"))
    finally:
        document.close()
    return findings + personal_data(texts, names)


def _metadata(pdf: pikepdf.Pdf) -> list[Finding]:
    found = []
    for key, value in (pdf.docinfo or {}).items():
        text = str(value).strip()
        if text and key not in ("/Producer", "/CreationDate", "/ModDate"):
            found.append(Finding("document property", f"info {key[1:]}", text))
    if "/Metadata" in pdf.Root:
        with pdf.open_metadata() as meta:
            for key in ("dc:creator", "pdf:Author", "xmp:CreatorTool", "dc:title"):
                value = meta.get(key)
                if value:
                    found.append(Finding("XMP metadata", f"XMP {key}", str(value)))
    return found


def _structure(pdf: pikepdf.Pdf) -> list[Finding]:
    found = []
    names = pdf.Root.get("/Names", {})
    if "/EmbeddedFiles" in names:
        found.append(Finding("attached files", "the document's EmbeddedFiles",
                             ", ".join(pdf.attachments.keys()) or "attached"))
    if "/JavaScript" in names or "/JS" in str(pdf.Root.get("/OpenAction", "")) or \
            "/AA" in pdf.Root:
        found.append(Finding("JavaScript", "the document's actions"))
    form = pdf.Root.get("/AcroForm")
    if form is not None and len(form.get("/Fields", [])):
        found.append(Finding("form fields", "the document's AcroForm",
                             f"{len(form.Fields)} fields with their values"))
    for number, page in enumerate(pdf.pages, start=1):
        annotations = [a for a in page.get("/Annots", []) if a.get("/Subtype") != "/Link"]
        if annotations:
            kinds = sorted({str(a.get("/Subtype", "/Annot"))[1:] for a in annotations})
            found.append(Finding("annotations or comments", f"page {number}",
                                 f"{len(annotations)} ({', '.join(kinds)})"))
        if any(a.get("/Subtype") == "/FileAttachment" for a in page.get("/Annots", [])):
            found.append(Finding("attached files", f"page {number}", "a file attachment"))
    return found


def _text_under_boxes(page, textpage) -> int:
    """Characters of extractable text inside dark filled rectangles drawn on the page."""
    count = 0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH]):
        if not _dark_fill(obj):
            continue
        left, bottom, right, top = obj.get_bounds()
        if right - left < 4 or top - bottom < 4:
            continue
        count += len(textpage.get_text_bounded(left, bottom, right, top).strip())
    return count


def _dark_fill(obj) -> bool:
    fill_mode, stroke = ctypes.c_int(0), ctypes.c_int(0)
    if not pdfium_c.FPDFPath_GetDrawMode(obj.raw, ctypes.byref(fill_mode), ctypes.byref(stroke)):
        return False
    if fill_mode.value == 0:
        return False
    r, g, b, a = (ctypes.c_uint(0) for _ in range(4))
    if not pdfium_c.FPDFPageObj_GetFillColor(obj.raw, *(ctypes.byref(c) for c in (r, g, b, a))):
        return False
    return a.value > 200 and max(r.value, g.value, b.value) < DARK


def clean_pdf(data: bytes) -> bytes:
    """The PDF rewritten whole (no earlier versions) without metadata, annotations,
    attachments, JavaScript or form fields. Text beneath boxes needs `redact_pdf`."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for key in list(pdf.docinfo.keys()) if pdf.docinfo else []:
            del pdf.docinfo[key]
        for key in ("/Metadata", "/AcroForm", "/OpenAction", "/AA"):
            if key in pdf.Root:
                del pdf.Root[key]
        names = pdf.Root.get("/Names")
        if names is not None:
            for key in ("/EmbeddedFiles", "/JavaScript"):
                if key in names:
                    del names[key]
        for page in pdf.pages:
            if "/Annots" in page:
                kept = [a for a in page.Annots if a.get("/Subtype") == "/Link"]
                page.Annots = pdf.make_indirect(pikepdf.Array(kept))
            if "/AA" in page:
                del page["/AA"]
        out = io.BytesIO()
        pdf.save(out, fix_metadata_version=False, linearize=False)
    return out.getvalue()


AREA = re.compile(r"^page\s+(\d+)\s+at\s+([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*,"
                  r"\s*([\d.]+)\s*mm$", re.IGNORECASE)
MM = 72 / 25.4


def area_of(term: str) -> tuple[int, tuple[float, float, float, float]] | None:
    """`page 1 at 38,39,98,47 mm` (left, top, right, bottom, in millimetres from the page's
    top-left corner, as a ruler on the printed page reads them) -> (1, the box)."""
    found = AREA.match(term.strip())
    if not found:
        return None
    left, top, right, bottom = (float(found.group(n)) for n in range(2, 6))
    return int(found.group(1)), (left, top, right, bottom)


def redact_pdf(data: bytes, terms: list[str]) -> bytes:
    """Every page rendered to an image with the terms' places, the areas given and every
    dark box already drawn painted solid; the PDF rebuilt from the images. Nothing of the
    text remains to extract (a scanned page's honest equivalent); the check then proves the
    terms are gone."""
    areas = [found for term in terms if (found := area_of(term))]
    words = [term for term in terms if not area_of(term)]
    document = pdfium.PdfDocument(data)
    images = []
    try:
        for number, page in enumerate(document, start=1):
            textpage = page.get_textpage()
            scale = REDACTION_DPI / 72
            height = page.get_height()
            boxes = [(left * MM, height - bottom * MM, right * MM, height - top * MM)
                     for on, (left, top, right, bottom) in areas if on == number]
            for term in words:
                searcher = textpage.search(term, match_case=False)
                while (found := searcher.get_next()) is not None:
                    index, length = found
                    boxes += [textpage.get_charbox(i) for i in range(index, index + length)]
            for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH]):
                if _dark_fill(obj):
                    boxes.append(obj.get_bounds())
            image = page.render(scale=scale).to_pil().convert("RGB")
            draw = ImageDraw.Draw(image)
            for left, bottom, right, top in boxes:
                draw.rectangle([left * scale - 2, (height - top) * scale - 2,
                                right * scale + 2, (height - bottom) * scale + 2], fill="black")
            images.append(image)
    finally:
        document.close()
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:],
                   resolution=REDACTION_DPI)
    return out.getvalue()


def extractable_text(data: bytes) -> str:
    """All the text a reader could copy out of the PDF."""
    document = pdfium.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()
