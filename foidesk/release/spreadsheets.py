"""Excel workbooks (xlsx, xlsm): what a reader does not see but the file still holds, and a
clean copy with only the visible values of the visible sheets.

openpyxl (MIT) reads the workbook; the parts it does not model (pivot caches, external
links, embedded objects, app properties) are read from the zip package itself.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from foidesk.release.findings import Finding
from foidesk.release.personal import personal_data

WHITE = {"FFFFFFFF", "00FFFFFF", "FFFFFF"}


def check_workbook(data: bytes, names: tuple[str, ...] = ()) -> list[Finding]:
    """Every hidden part of the workbook, named by sheet and range."""
    findings: list[Finding] = []
    package = zipfile.ZipFile(io.BytesIO(data))
    book = load_workbook(io.BytesIO(data), data_only=False, keep_links=True)
    for sheet in book.worksheets:
        findings += _sheet_findings(sheet)
    findings += _defined_names(book)
    findings += _package_parts(package)
    findings += _properties(book, package)
    visible = [(f"sheet '{s.title}'", _text(c)) for s in book.worksheets
               if s.sheet_state == "visible" for c in _cells(s) if _shown(s, c)]
    hidden = [(f"hidden parts of sheet '{s.title}'", _text(c)) for s in book.worksheets
              for c in _cells(s) if not _shown(s, c)]
    hidden += [(f"comments of sheet '{s.title}'", f"{c.comment.author or ''} {c.comment.text}")
               for s in book.worksheets for c in _cells(s) if c.comment is not None]
    findings += personal_data(visible + hidden, names)
    return findings


def _sheet_findings(sheet: Worksheet) -> list[Finding]:
    place = f"sheet '{sheet.title}'"
    found: list[Finding] = []
    if sheet.sheet_state != "visible":
        kind = "very hidden sheet" if sheet.sheet_state == "veryHidden" else "hidden sheet"
        found.append(Finding(kind, place, f"{sheet.max_row:,} rows, {sheet.max_column:,} "
                                          "columns of data a reader of the file cannot see"))
    rows = [r for r, d in sheet.row_dimensions.items() if d.hidden]
    if rows:
        kind = "rows hidden by a filter" if sheet.auto_filter.ref else "hidden rows"
        found.append(Finding(kind, f"{place} rows {_spans(rows)}", f"{len(rows):,} rows"))
    columns = sorted({c for d in sheet.column_dimensions.values() if d.hidden
                      for c in range(d.min or 1, (d.max or d.min or 1) + 1)})
    if columns:
        found.append(Finding("hidden columns", f"{place} columns "
                             f"{_spans(columns, letters=True)}", f"{len(columns):,} columns"))
    comments = [c.coordinate for c in _cells(sheet) if c.comment is not None]
    if comments:
        found.append(Finding("comments or notes", f"{place} cells {', '.join(comments[:10])}"
                             + (" ..." if len(comments) > 10 else ""),
                             f"{len(comments):,} comments"))
    invisible = [c.coordinate for c in _cells(sheet) if c.value is not None and _invisible(c)]
    if invisible:
        found.append(Finding("cells formatted to be invisible", f"{place} cells "
                             f"{', '.join(invisible[:10])}" + (" ..." if len(invisible) > 10
                                                               else ""),
                             f"{len(invisible):,} cells (white text, or the ;;; format)"))
    if getattr(sheet, "_pivots", None):
        found.append(Finding("pivot table", place, f"{len(sheet._pivots)} pivot tables: the "
                             "data behind them is in the file"))
    return found


def _defined_names(book: Workbook) -> list[Finding]:
    hidden = {s.title for s in book.worksheets if s.sheet_state != "visible"}
    found = []
    for name, definition in book.defined_names.items():
        target = definition.attr_text or ""
        sheet = target.split("!")[0].strip("'=") if "!" in target else ""
        if definition.hidden or sheet in hidden:
            found.append(Finding("defined name pointing at hidden data", f"name '{name}'",
                                 target))
    for sheet in book.worksheets:
        for name, definition in sheet.defined_names.items():
            if definition.hidden or sheet.title in hidden:
                found.append(Finding("defined name pointing at hidden data",
                                     f"name '{name}' of sheet '{sheet.title}'",
                                     definition.attr_text or ""))
    return found


def _package_parts(package: zipfile.ZipFile) -> list[Finding]:
    found = []
    for name in package.namelist():
        if name.startswith("xl/pivotCache/pivotCacheRecords"):
            records = len(re.findall(rb"<r[ >]", package.read(name)))
            found.append(Finding("pivot cache", f"part {name}", f"{records:,} records of the "
                                 "pivot's source data, kept in the file"))
        elif name.startswith("xl/externalLinks/") and name.endswith(".xml"):
            found.append(Finding("external link", f"part {name}",
                                 "a link to another workbook, with a cached copy of its values"))
        elif name.startswith(("xl/embeddings/", "xl/activeX/")):
            found.append(Finding("embedded object", f"part {name}", ""))
    return found


def _properties(book: Workbook, package: zipfile.ZipFile) -> list[Finding]:
    props = book.properties
    held = {"author": props.creator, "last modified by": props.lastModifiedBy,
            "title": props.title, "subject": props.subject, "keywords": props.keywords}
    if "docProps/app.xml" in package.namelist():
        company = re.search(rb"<Company>([^<]+)</Company>", package.read("docProps/app.xml"))
        manager = re.search(rb"<Manager>([^<]+)</Manager>", package.read("docProps/app.xml"))
        held["company"] = company.group(1).decode("utf-8", "replace") if company else None
        held["manager"] = manager.group(1).decode("utf-8", "replace") if manager else None
    return [Finding("document property", f"property '{key}'", str(value))
            for key, value in held.items() if value and str(value).strip()
            and str(value) != "openpyxl"]


def clean_workbook(data: bytes) -> bytes:
    """A new workbook with only what a reader sees: the visible cells' values (formulas
    replaced by their results) of the visible sheets; no hidden rows, columns or sheets,
    no pivot caches, comments, names, links, objects or properties."""
    values = load_workbook(io.BytesIO(data), data_only=True)
    shapes = load_workbook(io.BytesIO(data), data_only=False)
    clean = Workbook()
    clean.remove(clean.active)
    for sheet in shapes.worksheets:
        if sheet.sheet_state != "visible":
            continue
        source = values[sheet.title]
        target = clean.create_sheet(sheet.title)
        hidden_rows = {r for r, d in sheet.row_dimensions.items() if d.hidden}
        hidden_columns = {c for d in sheet.column_dimensions.values() if d.hidden
                          for c in range(d.min or 1, (d.max or d.min or 1) + 1)}
        out_row = 0
        for row in range(1, sheet.max_row + 1):
            if row in hidden_rows:
                continue
            out_row += 1
            out_column = 0
            for column in range(1, sheet.max_column + 1):
                if column in hidden_columns:
                    continue
                out_column += 1
                cell = sheet.cell(row, column)
                if cell.value is None or _invisible(cell):
                    continue
                value = source.cell(row, column).value
                if isinstance(value, str) and value.startswith("="):
                    value = None  # a formula with no cached result: nothing a reader saw
                target.cell(out_row, out_column, value)
    for key in ("creator", "lastModifiedBy", "title", "subject", "keywords", "description"):
        setattr(clean.properties, key, None)
    out = io.BytesIO()
    clean.save(out)
    return out.getvalue()


def _cells(sheet: Worksheet) -> Iterator[Cell]:
    for row in sheet.iter_rows():
        yield from row


def _shown(sheet: Worksheet, cell: Cell) -> bool:
    if sheet.sheet_state != "visible" or cell.value is None or _invisible(cell):
        return False
    row = sheet.row_dimensions.get(cell.row)
    column = sheet.column_dimensions.get(get_column_letter(cell.column))
    return not (row is not None and row.hidden) and not (column is not None and column.hidden)


def _invisible(cell: Cell) -> bool:
    if cell.number_format and cell.number_format.replace(" ", "") == ";;;":
        return True
    color = cell.font.color if cell.font else None
    rgb = getattr(color, "rgb", None) if color is not None else None
    if not isinstance(rgb, str) or rgb.upper() not in WHITE:
        return False
    fill = cell.fill.fgColor.rgb if cell.fill and cell.fill.fill_type == "solid" else "FFFFFFFF"
    return isinstance(fill, str) and fill.upper() in WHITE


def _text(cell: Cell) -> str:
    return "" if cell.value is None else str(cell.value)


def _spans(numbers: list[int], *, letters: bool = False) -> str:
    """[2, 3, 4, 9] -> "2-4, 9" (or "B-D, I")."""
    spans: list[tuple[int, int]] = []
    for n in sorted(numbers):
        if spans and n == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], n)
        else:
            spans.append((n, n))
    name = get_column_letter if letters else str
    shown = [name(a) if a == b else f"{name(a)}-{name(b)}" for a, b in spans]
    return ", ".join(shown[:8]) + (" ..." if len(shown) > 8 else "")
