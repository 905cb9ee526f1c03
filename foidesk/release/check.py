"""The pre-release check: one entry point for every file that would leave, by its kind."""

from __future__ import annotations

import csv
import importlib
import io
import zipfile
from collections.abc import Callable
from pathlib import PurePosixPath

from foidesk.release.findings import Finding
from foidesk.release.personal import personal_data

KINDS = {
    ".xlsx": "workbook", ".xlsm": "workbook", ".docx": "document", ".pdf": "pdf",
    ".csv": "csv", ".txt": "text", ".zip": "archive",
}
MAX_MEMBERS = 500
# The reader of each kind with a library of its own (openpyxl, python-docx, pikepdf and
# pypdfium2), imported when a file of that kind is first checked or cleaned: an intake
# poll that meets no attachment does not spend most of a second loading them.
_READERS = {"workbook": "spreadsheets", "document": "word", "pdf": "pdfs"}
_CHECKS = {"workbook": "check_workbook", "document": "check_document", "pdf": "check_pdf"}
_CLEANS = {"workbook": "clean_workbook", "document": "clean_document", "pdf": "clean_pdf"}


def _reader(kind: str, names: dict[str, str]) -> Callable:
    return getattr(importlib.import_module(f"foidesk.release.{_READERS[kind]}"), names[kind])


def file_kind(filename: str, data: bytes = b"") -> str:
    """workbook, document, pdf, csv, text, archive, or unchecked, by name then content."""
    kind = KINDS.get(PurePosixPath(filename.lower()).suffix)
    if kind is None and data.startswith(b"%PDF"):
        kind = "pdf"
    return kind or "unchecked"


def check_file(filename: str, data: bytes, names: tuple[str, ...] = (), *,
               nested: bool = False) -> list[Finding]:
    """Everything in `data` that a reader would not see, or that is personal data."""
    kind = file_kind(filename, data)
    try:
        if kind in _CHECKS:
            return _reader(kind, _CHECKS)(data, names)
        if kind == "csv":
            return _check_csv(data, names)
        if kind == "text":
            return personal_data([("the text", _decoded(data))], names)
        if kind == "archive":
            if nested:
                return [Finding("nested archive", filename, "refused: extract it and add its "
                                "files one by one")]
            return _check_archive(data, names)
    except Exception as error:
        return [Finding("unreadable file", filename, f"{type(error).__name__}: the check "
                        "could not read it, so it cannot be released as it is")]
    return [Finding("unchecked file type", filename, "foidesk cannot look inside this kind "
                    "of file: release it only with an officer's override")]


def clean_copy(filename: str, data: bytes, *, tracked: str = "accept") -> bytes:
    """The clean copy of a workbook, document or PDF; ValueError for other kinds."""
    kind = file_kind(filename, data)
    if kind == "document":
        return _reader(kind, _CLEANS)(data, tracked=tracked)
    if kind in _CLEANS:
        return _reader(kind, _CLEANS)(data)
    raise ValueError(f"{filename}: there is no clean copy of a {kind} file; redact it, "
                     "withhold it, or release it with an override")


def _check_csv(data: bytes, names: tuple[str, ...]) -> list[Finding]:
    rows = list(csv.reader(io.StringIO(_decoded(data))))
    header = rows[0] if rows else []
    columns: dict[str, list[str]] = {}
    for row in rows[1:] if header else rows:
        for index, value in enumerate(row):
            label = header[index] if index < len(header) and header[index] else index + 1
            columns.setdefault(f"column {label!s}", []).append(value)
    return personal_data([(place, "\n".join(values)) for place, values in columns.items()],
                         names)


def _check_archive(data: bytes, names: tuple[str, ...]) -> list[Finding]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) > MAX_MEMBERS:
        return [Finding("archive too large to check", "the archive",
                        f"{len(members)} files; at most {MAX_MEMBERS}")]
    findings = []
    for member in members:
        inner = check_file(member.filename, archive.read(member), names, nested=True)
        findings += [Finding(f.kind, f"{member.filename}: {f.place}", f.detail) for f in inner]
    return findings


def _decoded(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")
