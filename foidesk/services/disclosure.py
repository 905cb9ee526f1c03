"""The disclosure log: closed cases as a static HTML page and a CSV, with no requester."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from foidesk.drafting import OUTCOME_LABELS, Outcome
from foidesk.privacy import scrub
from foidesk.register.models import Blob, Case
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.rendering import Renderer
from foidesk.services.documents import release_name

COLUMNS = ["reference", "date", "subject", "request", "response", "outcome", "exemptions",
           "files"]


@dataclass(frozen=True)
class Entry:
    reference: str
    date: str
    subject: str
    request: str
    response: str
    outcome: str
    exemptions: str
    files: str = ""  # the released files' names, "; " between
    released: tuple[tuple[str, bytes], ...] = ()  # the same files' checked bytes


def entries(uow: SqlUnitOfWork) -> list[Entry]:
    """Closed cases queued for (or already in) the log, newest first, requester removed."""
    with uow:
        cases = uow.session.scalars(
            select(Case).where(Case.status == "closed",
                               Case.disclosure_status.in_(["queued", "published"]))
            .options(selectinload(Case.requester), selectinload(Case.drafts),
                     selectinload(Case.documents))
            .order_by(Case.responded_at.desc())
        ).all()
    found = []
    for case in cases:
        requester = case.requester
        names = [requester.name] if requester and requester.name else []
        if requester and requester.email:
            names.append(requester.email.split("@")[0].replace(".", " "))
        addresses = [requester.postal_address] if requester and requester.postal_address else []
        released = tuple(
            (release_name(case, d), uow.session.get(Blob, d.released_sha256).data)
            for d in case.documents if d.decision in ("release", "clean", "redact")
            and d.released_sha256)
        sent = [d for d in case.drafts if d.kind == "response" and d.status == "sent"]
        response = sent[-1].letter_text if sent else ""
        found.append(Entry(
            reference=case.reference,
            date=case.responded_at.date().isoformat() if case.responded_at else "",
            subject=scrub(case.subject, names=names, addresses=addresses),
            request=scrub(case.request_text, names=names, addresses=addresses),
            response=scrub(_without_addressee(response), names=names, addresses=addresses),
            outcome=OUTCOME_LABELS.get(Outcome(case.outcome), case.outcome or "")
            if case.outcome in {o.value for o in Outcome} else (case.outcome or ""),
            exemptions=", ".join(case.exemptions or []),
            files="; ".join(name for name, _ in released),
            released=released,
        ))
    return found


def _without_addressee(letter: str) -> str:
    """The letter from its reference line on: the addressee block above it goes."""
    marker = letter.find("Reference No:")
    return letter[letter.rfind("\n", 0, marker) + 1:] if marker >= 0 else letter


def write_log(uow: SqlUnitOfWork, out: Path, renderer: Renderer, authority: object) -> int:
    """Write `index.html` and `disclosure-log.csv` into `out`; returns how many entries."""
    found = entries(uow)
    out.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for entry in found:
        writer.writerow([getattr(entry, column) for column in COLUMNS])
    (out / "disclosure-log.csv").write_text(buffer.getvalue(), encoding="utf-8")
    for entry in found:
        for name, data in entry.released:  # exactly the bytes the requester received
            (out / "files").mkdir(exist_ok=True)
            (out / "files" / name).write_bytes(data)
    html = renderer.env.get_template("disclosure/log.html.j2").render(
        authority=authority, entries=found)
    (out / "index.html").write_text(html, encoding="utf-8")
    return len(found)
