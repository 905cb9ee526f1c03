"""The documents a response may release: numbered on the case as owners and officers send
them, checked for hidden data, decided one by one, and released only as checked bytes.

Nothing leaves with a finding nobody resolved: a clean copy, a redaction, withholding, or
an officer's override with a reason (audited, shown to the reviewer).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime

from foidesk.references import file_stem
from foidesk.register.models import Blob, Case, Document
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.release import check_file
from foidesk.release.check import clean_copy, file_kind
from foidesk.release.decisions import LABELS, DocumentDecision, DocumentRefused
from foidesk.services.audit import record_event


@dataclass
class Release:
    """The files a response will carry, and the documents withheld."""

    files: list[tuple[str, bytes]] = field(default_factory=list)
    withheld: list[Document] = field(default_factory=list)


def add_document(uow: SqlUnitOfWork, case: Case, filename: str, content_type: str, data: bytes,
                 *, source: str, actor: str, now: datetime) -> Document:
    """Number the file on its case, keep its bytes once, and check it."""
    digest = _store(uow, data)
    number = max((d.number for d in case.documents), default=0) + 1
    document = Document(number=number, source=source, filename=filename or f"file-{number}",
                        content_type=content_type, size=len(data), sha256=digest,
                        added_at=now, redact_terms=[], released_findings=[],
                        findings=[f.as_dict() for f in check_file(filename, data,
                                                                  known_names(case))])
    case.documents.append(document)
    record_event(uow, case, "document_added", actor=actor, now=now, after={
        "number": number, "filename": document.filename, "size": len(data),
        "sha256": digest, "findings": len(document.findings)}, detail=source)
    return document


def add_attachments(uow: SqlUnitOfWork, case: Case, attachments, *, source: str, actor: str,
                    now: datetime) -> list[Document]:
    """Every attachment of an owner's reply (or an officer's email) as a document."""
    known = {d.sha256 for d in case.documents}
    added = []
    for attachment in attachments:
        if attachment.sha256 in known:
            continue  # the same file again: one document
        data = attachment.data if attachment.stored_sha256 is None else uow.session.get(
            Blob, attachment.stored_sha256).data  # a large part, kept apart when it arrived
        added.append(add_document(uow, case, attachment.filename, attachment.content_type,
                                  data, source=source, actor=actor, now=now))
        known.add(attachment.sha256)
    return added


def known_names(case: Case) -> tuple[str, ...]:
    """The people the register knows on this case, whose names a release must not carry."""
    names = [case.requester.name] if case.requester and case.requester.name else []
    for assignment in case.assignments:
        for address in (assignment.owner, assignment.deputy):
            if address:
                local = address.split("@")[0]
                if "." in local:
                    names.append(" ".join(p.capitalize() for p in local.split(".")))
    return tuple(names)


def decide_documents(uow: SqlUnitOfWork, case: Case, decisions: dict[int, DocumentDecision],
                     *, actor: str, now: datetime) -> None:
    """Carry out the decisions: make each clean copy or redaction and check what would
    leave. A document the draft does not mention keeps its earlier decision."""
    numbers = {d.number: d for d in case.documents}
    unknown = sorted(set(decisions) - set(numbers))
    if unknown:
        raise DocumentRefused(f"case {case.reference} has no document "
                              f"{', '.join(map(str, unknown))} (it has "
                              f"{', '.join(map(str, sorted(numbers))) or 'none'})")
    for number, choice in sorted(decisions.items()):
        document = numbers[number]
        original = uow.session.get(Blob, document.sha256).data
        released = _released_bytes(document, original, choice)
        document.decision, document.exemption = choice.decision, choice.exemption or None
        document.redact_terms = list(choice.terms)
        document.override = choice.override or None
        if released is None:
            document.released_sha256, document.released_findings = None, []
        else:
            document.released_sha256 = _store(uow, released)
            document.released_findings = [
                f.as_dict() for f in check_file(document.filename, released, known_names(case))]
        record_event(uow, case, "document_decided", actor=actor, now=now, after={
            "number": number, "decision": choice.decision, "exemption": choice.exemption,
            "override": choice.override, "findings_left": len(document.released_findings)})


def _released_bytes(document: Document, original: bytes, choice: DocumentDecision
                    ) -> bytes | None:
    if choice.decision == "withhold":
        return None
    if choice.decision == "release":
        return original
    try:
        if choice.decision == "clean":
            return clean_copy(document.filename, original, tracked=choice.tracked)
        if file_kind(document.filename, original) != "pdf":
            raise DocumentRefused(f"document {document.number} ({document.filename}): only a "
                                  "PDF can be redacted here; make a clean copy, or withhold")
        from foidesk.release import pdfs  # pikepdf and pypdfium2 load for the first redaction

        redacted = pdfs.redact_pdf(pdfs.clean_pdf(original), list(choice.terms))
        left = pdfs.extractable_text(redacted).lower()
        still = [t for t in choice.terms if not pdfs.area_of(t) and t.lower() in left]
        if still:  # the proof: nothing redacted can be copied out of what would leave
            raise DocumentRefused(f"document {document.number}: after redaction "
                                  f"{', '.join(still)} can still be extracted")
        return redacted
    except ValueError as error:
        raise DocumentRefused(f"document {document.number}: {error}") from None


def unresolved(case: Case) -> list[str]:
    """Why the response may not go yet: each document with a finding nobody resolved."""
    problems = []
    for document in case.documents:
        if document.decision is None:
            if document.findings:
                problems.append(f"document {document.number} ({document.filename}) has "
                                f"{len(document.findings)} findings and no decision")
            continue
        if document.decision == "withhold" or document.override:
            continue
        if document.released_findings:
            first = document.released_findings[0]
            problems.append(f"document {document.number} ({document.filename}) "
                            f"{LABELS[document.decision]} still has "
                            f"{len(document.released_findings)} findings, first: "
                            f"{first['kind']} at {first['place']} (redact, withhold, or "
                            "override with a reason)")
    return problems


def release(uow: SqlUnitOfWork, case: Case, *, now: datetime, actor: str) -> Release:
    """The files the response carries, checked again on their final bytes."""
    problems = unresolved(case)
    out = Release()
    for document in case.documents:
        if document.decision == "withhold":
            out.withheld.append(document)
            continue
        if document.decision is None or document.released_sha256 is None:
            continue
        data = uow.session.get(Blob, document.released_sha256).data
        again = check_file(document.filename, data, known_names(case))
        if again and not document.override:
            problems.append(f"document {document.number} ({document.filename}): the check of "
                            f"the final bytes found {again[0]}")
        out.files.append((release_name(case, document), data))
    if problems:
        raise DocumentRefused("; ".join(dict.fromkeys(problems)))
    if out.files:
        record_event(uow, case, "documents_released", actor=actor, now=now, after={
            "files": [name for name, _ in out.files],
            "withheld": [d.number for d in out.withheld]})
    return out


def document_summaries(case: Case) -> list[dict[str, object]]:
    """Each document as the reviewer and `foidesk case` read it: what it is, the decision,
    what the check found in the original and in what would leave."""
    return document_summaries_of(case, case.documents)


def document_summaries_of(case: Case, documents) -> list[dict[str, object]]:
    return [{
        "number": d.number, "filename": d.filename, "source": d.source,
        "size": d.size, "sha256": d.sha256,
        "decision": LABELS.get(d.decision or "", "not decided: it will not be released"),
        "exemption": d.exemption, "override": d.override,
        "findings": [f"{f['kind']} at {f['place']}" + (f": {f['detail']}" if f["detail"]
                                                      else "") for f in d.findings],
        "left": [f"{f['kind']} at {f['place']}" for f in d.released_findings],
        "name": release_name(case, d) if d.decision and d.decision != "withhold" else None,
    } for d in documents]


def release_name(case: Case, document: Document) -> str:
    """`FOI-000001-26-1-staffing.xlsx`."""
    stem = file_stem(case.reference)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", document.filename).strip("-") or "file"
    return f"{stem}-{document.number}-{safe}"


def _store(uow: SqlUnitOfWork, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    if uow.session.get(Blob, digest) is None:
        uow.session.add(Blob(sha256=digest, size=len(data), data=data))
        uow.session.flush()
    return digest
