"""Documents on a case: added, decided, checked again on the final bytes, and carried by the
response within its size budget."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hostile_files import hostile_pdf, plain_workbook
from intake_support import REF, maildir_desk, request_email, settings

from foidesk.drafting import parse_plain
from foidesk.outbox import drain, recipients_of
from foidesk.register.models import Assignment
from foidesk.release.pdfs import extractable_text
from foidesk.services.documents import add_document
from foidesk.services.responses import (
    ResponseSettings,
    Reviewer,
    ReviewRefused,
    create_draft,
    decide,
    submit_for_review,
)

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
REVIEWER = "reviewer@example.gov.uk"
ANSWERS = "Outcome: granted\n1. 1,204.\n2. 1,010.\n"


@pytest.fixture
def desk(database_url, tmp_path):
    with maildir_desk(database_url, tmp_path) as desk:
        desk.deliver_and_run(request_email(1))
        yield desk


def responses(budget: int = 15 * 1024 * 1024) -> ResponseSettings:
    base = settings()
    return ResponseSettings(renderer=base.renderer, authority=base.authority,
                            deadlines=base.deadlines,
                            reviewers=(Reviewer(REVIEWER, frozenset({"foia"})),),
                            attachment_budget=budget)


def attach(desk, name: str, data: bytes) -> None:
    with desk.uow() as uow:
        add_document(uow, uow.cases.get(REF), name, "application/octet-stream", data,
                     source="officer (test)", actor="officer", now=NOW)
        uow.commit()


def respond(desk, answers: str, settings: ResponseSettings, folder):
    """Draft, submit, approve, and send through a Maildir sender; the messages sent."""
    import mailbox as stdlib_mailbox
    from email import message_from_bytes, policy

    from connectors.base import OutgoingMessage
    from connectors.maildir import MaildirSender

    create_draft(desk.uow(), REF, parse_plain(answers), settings, actor="officer", now=NOW)
    submit_for_review(desk.uow(), REF, settings, actor="officer", now=NOW)
    decide(desk.uow(), REF, "approve", REVIEWER, settings, via="cli", now=NOW)
    drain(desk.uow, MaildirSender(folder), lambda i: OutgoingMessage(
        i.raw, i.sender, tuple(recipients_of(i))), now=NOW)
    box = stdlib_mailbox.Maildir(folder)
    return [message_from_bytes(box.get_bytes(k), policy=policy.default) for k in box.keys()]  # noqa: SIM118


def test_a_redaction_decided_in_the_draft_removes_the_words_from_what_is_sent(desk):
    attach(desk, "report.pdf", hostile_pdf())
    with desk.uow() as uow:
        [document] = uow.cases.get(REF).documents
        assert {f["kind"] for f in document.findings} >= {"text beneath a filled rectangle",
                                                           "XMP metadata", "attached files"}
    create_draft(desk.uow(), REF, parse_plain(ANSWERS + "REDACT 1: AB 12 34 56 C\n"),
                 responses(), actor="officer", now=NOW)
    with desk.uow() as uow:
        [document] = uow.cases.get(REF).documents
        assert document.decision == "redact" and document.released_findings == []
        from foidesk.register.models import Blob

        released = uow.session.get(Blob, document.released_sha256).data
    text = extractable_text(released)
    assert "Alan Smith" not in text and "AB 12 34 56" not in text


def test_the_final_bytes_are_checked_again_just_before_sending(desk):
    # A workbook with a name in it that the register learns only after the decision.
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Prepared by", "Pat Owner"])
    import io

    out = io.BytesIO()
    book.save(out)
    attach(desk, "figures.xlsx", out.getvalue())
    settings_ = responses()
    create_draft(desk.uow(), REF, parse_plain(ANSWERS + "RELEASE 1\n"), settings_,
                 actor="officer", now=NOW)
    submit_for_review(desk.uow(), REF, settings_, actor="officer", now=NOW)
    with desk.uow() as uow:
        case = uow.cases.get(REF)
        case.assignments.append(Assignment(
            owner="pat.owner@example.gov.uk", internal_due_on=NOW.date(), state="supplied",
            created_at=NOW))
        uow.commit()
    with pytest.raises(ReviewRefused, match=r"not sent: .*the check of the final bytes found "
                                            r"personal data: name"):
        decide(desk.uow(), REF, "approve", REVIEWER, settings_, via="cli", now=NOW)
    with desk.uow() as uow:
        assert uow.cases.get(REF).status == "in_review"


def test_files_over_the_budget_follow_in_further_emails_threaded_on_the_response(desk,
                                                                               tmp_path):
    big = plain_workbook()
    for n in range(3):
        attach(desk, f"figures-{n}.xlsx", big if n == 0 else _variant(big, n))
    messages = respond(desk, ANSWERS + "RELEASE 1 2 3\n",
                       replace(responses(), attachment_budget=len(big) + 10), tmp_path / "sent")
    [response] = [m for m in messages if "Response to your request" in str(m["Subject"])]
    assert [p.get_filename() for p in response.iter_attachments()] == [
        "FOI-000001-26-response.pdf"]
    assert "follow in 3 further emails" in response.get_body(("plain",)).get_content()
    parts = [m for m in messages if "Documents released" in str(m["Subject"])]
    assert len(parts) == 3
    assert all(str(m["In-Reply-To"]) == str(response["Message-ID"]) for m in parts)
    assert sorted(p.get_filename() for m in parts for p in m.iter_attachments()) == [
        "FOI-000001-26-1-figures-0.xlsx", "FOI-000001-26-2-figures-1.xlsx",
        "FOI-000001-26-3-figures-2.xlsx"]


def _variant(data: bytes, n: int) -> bytes:
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    book.active.append([2026, 1300 + n])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
