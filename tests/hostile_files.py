"""Files that would leak if released as they are, built with the libraries themselves (no
binary fixtures): the 2023 spreadsheet with a hidden tab of staff, a Word file with tracked
deletions and comments, a PDF with black boxes over live text, a CSV of addresses, a zip."""

from __future__ import annotations

import io
import zipfile

import docx
import pikepdf
from docx.oxml.ns import qn
from fpdf import FPDF
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

STAFF_ROWS = 9_483
REQUESTER = "Jane Requester"
PIVOT_RECORDS = 250


def hostile_workbook() -> bytes:
    """A summary a reader sees, over a very hidden sheet of 9,483 staff, hidden rows and
    columns, white-on-white and ;;; cells, a comment naming a person, a pivot cache of
    personal data, and the author's name in the properties."""
    book = Workbook()
    summary = book.active
    summary.title = "Summary"
    summary.append(["Department", "Officers", "Staff"])
    for row in (["Response", 812, 140], ["Investigations", 603, 95], ["Support", 120, 410]):
        summary.append(row)
    summary.append(["Secret", "Jo Bloggs", "jo.bloggs@example.police.uk"])  # row 5
    summary.row_dimensions[5].hidden = True
    summary["D1"] = "Notes"
    summary["D2"] = "Vetting level SC"
    summary.column_dimensions["D"].hidden = True
    summary["A8"] = "Sgt Alan Smith"
    summary["A8"].font = Font(color="FFFFFFFF")
    summary["A8"].fill = PatternFill(fill_type="solid", fgColor="FFFFFFFF")
    summary["B9"] = "Informant 47"
    summary["B9"].number_format = ";;;"
    summary["B2"].comment = Comment("Check with Insp. Mary Jones before release", "Mary Jones")
    staff = book.create_sheet("Staff")
    staff.append(["Name", "Role", "Email"])
    for n in range(1, STAFF_ROWS + 1):
        staff.append([f"Officer {n:05d}", "Constable", f"officer{n:05d}@example.police.uk"])
    staff.sheet_state = "veryHidden"
    book.properties.creator = "Jane Analyst"
    book.properties.lastModifiedBy = "HR Systems Team"
    out = io.BytesIO()
    book.save(out)
    return _with_pivot_cache(out.getvalue())


def _with_pivot_cache(data: bytes) -> bytes:
    """Add the part a pivot table keeps its source rows in (openpyxl writes no pivots)."""
    records = "".join(f'<r><s v="Officer {n:05d}"/><s v="officer{n:05d}@example.police.uk"/>'
                      "</r>" for n in range(PIVOT_RECORDS))
    part = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<pivotCacheRecords xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
            f'main" count="{PIVOT_RECORDS}">{records}</pivotCacheRecords>')
    return _add_part(data, "xl/pivotCache/pivotCacheRecords1.xml", part.encode())


def _add_part(data: bytes, name: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr(name, content)
    return out.getvalue()


def hostile_document() -> bytes:
    """A policy with a tracked deletion of a name, a tracked insertion, a comment, hidden
    text and its author in the properties."""
    document = docx.Document()
    document.add_paragraph("Live facial recognition: deployment policy.")
    paragraph = document.add_paragraph("Deployments are approved by ")
    deleted = paragraph._p.makeelement(qn("w:del"), {qn("w:id"): "1", qn("w:author"): "A. B",
                                                      qn("w:date"): "2026-11-01T09:00:00Z"})
    run = deleted.makeelement(qn("w:r"), {})
    text = run.makeelement(qn("w:delText"), {})
    text.text = "Superintendent Carol Danvers"
    run.append(text)
    deleted.append(run)
    paragraph._p.append(deleted)
    inserted = paragraph._p.makeelement(qn("w:ins"), {qn("w:id"): "2", qn("w:author"): "A. B",
                                                       qn("w:date"): "2026-11-01T09:00:00Z"})
    new_run = inserted.makeelement(qn("w:r"), {})
    new_text = new_run.makeelement(qn("w:t"), {})
    new_text.text = "the Chief Officer Group."
    new_run.append(new_text)
    inserted.append(new_run)
    paragraph._p.append(inserted)
    secret = document.add_paragraph().add_run("Covert deployment list follows.")
    secret.font.hidden = True
    commented = document.add_paragraph("Retention is 31 days.")
    document.add_comment(commented.runs, text="Legal say 28?", author="Mary Jones")
    document.core_properties.author = "Jane Analyst"
    document.core_properties.last_modified_by = "Policy Unit"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def hostile_pdf() -> bytes:
    """A letter whose 'redactions' are black boxes over live text, with an XMP author, an
    annotation and an attached file."""
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.text(20, 30, "Incident report 2026/114")
    pdf.text(20, 45, "Witness: Sgt Alan Smith, NI number AB 12 34 56 C")
    pdf.set_fill_color(0, 0, 0)
    pdf.rect(38, 39, 60, 8, style="F")  # over "Sgt Alan Smith"
    pdf.text(20, 60, "Outcome: no further action.")
    with pikepdf.open(io.BytesIO(bytes(pdf.output()))) as document:
        with document.open_metadata() as meta:
            meta["dc:creator"] = ["Jane Analyst"]
        document.docinfo["/Author"] = "Jane Analyst"
        document.attachments["witness-list.txt"] = pikepdf.AttachedFileSpec(
            document, b"Sgt Alan Smith\nPC Zoe Lee\n", description="witnesses")
        annotation = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Text,
                                        Rect=[20, 700, 40, 720],
                                        Contents=pikepdf.String("Ask Mary Jones"))
        document.pages[0].Annots = document.make_indirect(pikepdf.Array([annotation]))
        out = io.BytesIO()
        document.save(out)
    return out.getvalue()


def addresses_csv() -> bytes:
    rows = ["name,email,phone,postcode"] + [
        f"Person {n},person{n}@example.org,07700 900{n:03d},NR1 {n % 9}AB" for n in range(40)]
    return ("\n".join(rows) + "\n").encode()


def hostile_zip() -> bytes:
    nested = io.BytesIO()
    with zipfile.ZipFile(nested, "w") as inner:
        inner.writestr("more.csv", addresses_csv())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("figures.xlsx", hostile_workbook())
        archive.writestr("contacts.csv", addresses_csv())
        archive.writestr("inner.zip", nested.getvalue())
    return out.getvalue()


def plain_workbook() -> bytes:
    """What an owner should send: one visible sheet of figures, nothing else."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Figures"
    sheet.append(["Year", "Potholes"])
    sheet.append([2024, 1190])
    sheet.append([2025, 1204])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def workbook_with_links_names_filters_and_objects() -> bytes:
    """The rest of what a workbook hides: a filter hiding rows, a defined name over a hidden
    sheet, a link to another workbook and an embedded object."""
    from openpyxl.workbook.defined_name import DefinedName

    book = Workbook()
    sheet = book.active
    sheet.title = "Cases"
    sheet.append(["Ward", "Cases"])
    for ward, cases in (("North", 12), ("South", 3), ("East", 7)):
        sheet.append([ward, cases])
    sheet.auto_filter.ref = "A1:B4"
    sheet.row_dimensions[3].hidden = True
    hidden = book.create_sheet("Lookup")
    hidden.append(["Victim", "Ward"])
    hidden.sheet_state = "hidden"
    book.defined_names["Victims"] = DefinedName("Victims", attr_text="Lookup!$A$1:$B$2")
    out = io.BytesIO()
    book.save(out)
    data = _add_part(out.getvalue(), "xl/externalLinks/externalLink1.xml",
                     b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                     b'2006/main"/>')
    return _add_part(data, "xl/embeddings/oleObject1.bin", b"\xd0\xcf\x11\xe0 an OLE object")


def pdf_with_script_and_form() -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.text(20, 30, "Application form")
    with pikepdf.open(io.BytesIO(bytes(pdf.output()))) as document:
        field = document.make_indirect(pikepdf.Dictionary(
            FT=pikepdf.Name.Tx, T=pikepdf.String("applicant"), V=pikepdf.String("Jo Bloggs")))
        document.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([field]))
        script = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        document.Root.Names = pikepdf.Dictionary(JavaScript=pikepdf.Dictionary(
            Names=pikepdf.Array([pikepdf.String("hello"), document.make_indirect(script)])))
        out = io.BytesIO()
        document.save(out)
    return out.getvalue()


def document_with_a_header() -> bytes:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Prepared by Mary Jones, Legal Services"
    document.add_paragraph("The policy is attached.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


PERSONAL_TEXT = (b"Witness statement. DOB: 14/03/1981. Vehicle AB12 CDE was seen, and an "
                 b"older one, K123 ABC. Call 020 7946 0958 or write to jo@example.org, NR1 2AB."
                 b"\n")
