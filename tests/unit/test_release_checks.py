"""The pre-release check on the files that leak, each finding in its place; clean copies and
redactions that pass the same check."""

from __future__ import annotations

import io

import docx
import openpyxl
import pytest
from hostile_files import (
    PIVOT_RECORDS,
    STAFF_ROWS,
    addresses_csv,
    hostile_document,
    hostile_pdf,
    hostile_workbook,
    hostile_zip,
    plain_workbook,
)

from foidesk.release import check_file
from foidesk.release.check import clean_copy
from foidesk.release.pdfs import extractable_text, redact_pdf

NAMES = ("Jane Requester", "Mary Jones")


def found(findings, kind: str) -> list[str]:
    return [f"{f.place}: {f.detail}" for f in findings if f.kind == kind]


@pytest.fixture(scope="module")
def workbook():
    data = hostile_workbook()
    return data, check_file("staffing.xlsx", data, NAMES)


def test_the_very_hidden_sheet_of_staff_is_caught(workbook):
    _, findings = workbook
    assert found(findings, "very hidden sheet") == [
        f"sheet 'Staff': {STAFF_ROWS + 1:,} rows, 3 columns of data a reader of the file "
        "cannot see"]
    assert found(findings, "personal data: email address") == [
        "hidden parts of sheet 'Summary': 1 occurrence",
        f"hidden parts of sheet 'Staff': {STAFF_ROWS:,} occurrences"]


def test_hidden_rows_columns_invisible_cells_comments_pivots_and_properties(workbook):
    _, findings = workbook
    assert found(findings, "hidden rows") == ["sheet 'Summary' rows 5: 1 rows"]
    assert found(findings, "hidden columns") == ["sheet 'Summary' columns D: 1 columns"]
    assert found(findings, "cells formatted to be invisible") == [
        "sheet 'Summary' cells A8, B9: 2 cells (white text, or the ;;; format)"]
    assert found(findings, "comments or notes") == ["sheet 'Summary' cells B2: 1 comments"]
    assert found(findings, "pivot cache") == [
        f"part xl/pivotCache/pivotCacheRecords1.xml: {PIVOT_RECORDS} records of the pivot's "
        "source data, kept in the file"]
    assert found(findings, "document property") == ["property 'author': Jane Analyst",
                                                    "property 'last modified by': HR Systems "
                                                    "Team"]
    assert found(findings, "personal data: name of a person the register knows") == [
        "comments of sheet 'Summary': 2 occurrences"]


def test_the_workbook_s_clean_copy_holds_only_what_a_reader_saw(workbook):
    data, _ = workbook
    clean = clean_copy("staffing.xlsx", data)
    assert check_file("staffing.xlsx", clean, NAMES) == []
    book = openpyxl.load_workbook(io.BytesIO(clean))
    assert book.sheetnames == ["Summary"]
    assert [[c.value for c in row] for row in book.active.iter_rows()] == [
        ["Department", "Officers", "Staff"], ["Response", 812, 140],
        ["Investigations", 603, 95], ["Support", 120, 410]]
    assert b"officer00001" not in clean and b"Jane Analyst" not in clean


def test_a_word_document_s_tracked_changes_comments_hidden_text_and_properties():
    findings = check_file("policy.docx", hostile_document(), NAMES)
    assert found(findings, "tracked changes") == [
        "document, paragraphs 2: 1 insertions, 1 deletions (deleted text is still in the file)"]
    assert found(findings, "hidden text") == ["document, paragraphs 3: 1 runs formatted as hidden"]
    assert found(findings, "comments") == ["part word/comments.xml: 1 comments by 1 people"]
    assert "property 'author': Jane Analyst" in found(findings, "document property")


@pytest.mark.parametrize(("tracked", "approver"), [("accept", "the Chief Officer Group."),
                                                   ("refuse", "Superintendent Carol Danvers")])
def test_the_document_s_clean_copy_accepts_or_refuses_the_changes(tracked, approver):
    clean = clean_copy("policy.docx", hostile_document(), tracked=tracked)
    assert check_file("policy.docx", clean, NAMES) == []
    text = [p.text for p in docx.Document(io.BytesIO(clean)).paragraphs]
    assert text[1] == f"Deployments are approved by {approver}"
    assert "Covert deployment list follows." not in " ".join(text)
    other = "Superintendent Carol Danvers" if tracked == "accept" else "Chief Officer Group"
    assert other.encode() not in clean


def test_black_boxes_over_live_text_metadata_attachments_and_annotations_in_a_pdf():
    findings = check_file("report.pdf", hostile_pdf(), NAMES)
    assert found(findings, "text beneath a filled rectangle") == [
        "page 1: 31 characters of live text under black boxes: a box drawn over text is not "
        "a redaction"]
    assert found(findings, "XMP metadata") == ["XMP dc:creator: ['Jane Analyst']"]
    assert found(findings, "document property") == ["info Author: Jane Analyst"]
    assert found(findings, "attached files") == ["the document's EmbeddedFiles: "
                                                 "witness-list.txt"]
    assert found(findings, "annotations or comments") == ["page 1: 1 (Text)"]
    assert found(findings, "personal data: National Insurance number") == [
        "page 1: 1 occurrence"]


def test_a_pdf_clean_copy_drops_the_parts_but_the_boxed_text_needs_a_redaction():
    clean = clean_copy("report.pdf", hostile_pdf())
    left = {f.kind for f in check_file("report.pdf", clean, NAMES)}
    assert left == {"text beneath a filled rectangle", "personal data: National Insurance number"}


def test_redaction_removes_the_text_and_the_check_proves_it():
    redacted = redact_pdf(clean_copy("report.pdf", hostile_pdf()), ["AB 12 34 56 C"])
    assert check_file("report.pdf", redacted, NAMES) == []
    text = extractable_text(redacted)
    assert "Alan Smith" not in text and "AB 12 34 56" not in text
    assert b"Alan Smith" not in redacted


def test_incremental_updates_keep_earlier_versions():
    import pikepdf

    data = hostile_pdf()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        out = io.BytesIO()
        pdf.save(out)
    appended = out.getvalue() + b"\n% a later edit\n" + out.getvalue()[-200:]
    assert "incremental updates" in {f.kind for f in check_file("r.pdf", appended)}


def test_a_csv_of_addresses_is_counted_per_column():
    findings = check_file("contacts.csv", addresses_csv())
    assert [str(f) for f in findings] == [
        "personal data: email address at column email: 40 occurrences",
        "personal data: UK phone number at column phone: 40 occurrences",
        "personal data: postcode at column postcode: 40 occurrences"]


def test_each_member_of_a_zip_is_checked_and_a_nested_archive_refused():
    findings = check_file("bundle.zip", hostile_zip(), NAMES)
    places = {f.place.split(":")[0] for f in findings}
    assert places == {"figures.xlsx", "contacts.csv", "inner.zip"}
    assert found(findings, "nested archive") == [
        "inner.zip: inner.zip: refused: extract it and add its files one by one"]
    assert any(f.kind == "very hidden sheet" for f in findings)


def test_a_plain_workbook_passes_and_an_unknown_kind_needs_an_override():
    assert check_file("figures.xlsx", plain_workbook()) == []
    [unknown] = check_file("plan.dwg", b"AC1032")
    assert unknown.kind == "unchecked file type"
    [broken] = check_file("broken.xlsx", b"PK not really")
    assert broken.kind == "unreadable file"


def test_filters_names_over_hidden_sheets_external_links_and_embedded_objects():
    from hostile_files import workbook_with_links_names_filters_and_objects

    findings = check_file("cases.xlsx", workbook_with_links_names_filters_and_objects())
    assert found(findings, "rows hidden by a filter") == ["sheet 'Cases' rows 3: 1 rows"]
    assert found(findings, "hidden sheet") == ["sheet 'Lookup': 1 rows, 2 columns of data a "
                                               "reader of the file cannot see"]
    assert found(findings, "defined name pointing at hidden data") == [
        "name 'Victims': Lookup!$A$1:$B$2"]
    assert found(findings, "external link") == [
        "part xl/externalLinks/externalLink1.xml: a link to another workbook, with a cached "
        "copy of its values"]
    assert found(findings, "embedded object") == ["part xl/embeddings/oleObject1.bin: "]


def test_javascript_and_form_fields_in_a_pdf_and_their_clean_copy():
    from hostile_files import pdf_with_script_and_form

    data = pdf_with_script_and_form()
    kinds = {f.kind for f in check_file("form.pdf", data)}
    assert {"JavaScript", "form fields"} <= kinds
    assert check_file("form.pdf", clean_copy("form.pdf", data)) == []


def test_a_word_header_is_shown_for_reading_and_its_names_counted():
    from hostile_files import document_with_a_header

    findings = check_file("policy.docx", document_with_a_header(), NAMES)
    assert found(findings, "header or footer text") == ["header1: 6 words: read them before "
                                                        "release"]
    assert found(findings, "personal data: name of a person the register knows") == [
        "header1: 1 occurrence"]


def test_every_personal_data_pattern_in_plain_text():
    from hostile_files import PERSONAL_TEXT

    assert sorted(f.kind.removeprefix("personal data: ") for f in
                  check_file("statement.txt", PERSONAL_TEXT)) == [
        "UK phone number", "date of birth", "email address", "postcode",
        "vehicle registration"]
    assert [f.detail for f in check_file("statement.txt", PERSONAL_TEXT)
            if f.kind.endswith("vehicle registration")] == ["2 occurrences"]


def test_an_area_given_in_millimetres_is_redacted_too():
    from foidesk.release.pdfs import area_of

    assert area_of("page 1 at 20,53,120,62 mm") == (1, (20.0, 53.0, 120.0, 62.0))
    # The third line of the report ("Outcome: no further action.") sits 60 mm down.
    redacted = redact_pdf(hostile_pdf(), ["page 1 at 15,53,140,63 mm"])
    assert extractable_text(redacted) == ""
    import pypdfium2 as pdfium
    from PIL import Image

    page = pdfium.PdfDocument(redacted)[0]
    image: Image.Image = page.render(scale=1).to_pil().convert("L")
    x, y = int(60 * 72 / 25.4), int(58 * 72 / 25.4)
    assert image.getpixel((x, y)) < 40  # painted black where the area is
    assert image.getpixel((x, int(20 * 72 / 25.4))) > 200  # untouched above it
