"""The response from the terminal and from the Prefect form, on the embedded default."""

from __future__ import annotations

import json
import mailbox as stdlib_mailbox
import os
from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest
from intake_support import request_email
from pypdf import PdfReader
from typer.testing import CliRunner

from foidesk.cli import app

CONFIG = """
[authority]
name = "Example Council"
foi_address = "foi@example.gov.uk"
postal_address = "Town Hall, Exampleton EX1 1AA"
team_address = "foi.officers@example.gov.uk"
internal_domains = ["example.gov.uk"]
disclosure_log_url = "https://example.gov.uk/disclosure-log"

[authority.decision_maker]
name = "A. Decider"
title = "FOI Decision Maker"

[database]
url = "sqlite:///var/foidesk.db"

[mailbox]
kind = "maildir"
path = "var/mailbox"

[sender]
kind = "maildir"
path = "var/outbox"

[[reviewers]]
name = "A. Decider"
email = "decision.maker@example.gov.uk"
"""
ANSWERS = '''outcome = "partial"
exemptions = ["s31(1)(a)"]
note = "The figures are correct as of 1 November 2026."
[answers]
"1" = "1,204 potholes were reported in 2025."
"2" = "We withhold repair times by location."
'''
REF = "FOI 000001/26"
REVIEWER = "decision.maker@example.gov.uk"


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def desk(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FOIDESK_CONFIG", raising=False)
    (tmp_path / "foidesk.toml").write_text(CONFIG)
    (tmp_path / "answers.toml").write_text(ANSWERS)
    (tmp_path / "var").mkdir()
    inbox = stdlib_mailbox.Maildir(tmp_path / "var" / "mailbox", create=True)
    inbox.add(request_email(1))
    arrived = datetime(2026, 11, 2, 9, 0, tzinfo=UTC).timestamp()
    for path in (tmp_path / "var" / "mailbox" / "new").iterdir():
        os.utime(path, (arrived, arrived))
    run_intake_once(tmp_path, datetime(2026, 11, 2, 9, 5, tzinfo=UTC))
    return tmp_path


def run_intake_once(folder, now: datetime) -> None:
    """One intake run over the desk's Maildirs, as `foidesk run intake` does."""
    from connectors.base import OutgoingMessage
    from connectors.maildir import MaildirMailbox, MaildirSender
    from foidesk.bootstrap import bootstrap, intake_settings
    from foidesk.config import load_settings
    from foidesk.outbox import recipients_of
    from foidesk.services.intake import run_intake

    config = load_settings(folder / "foidesk.toml")
    registered = bootstrap(config)
    run_intake(registered.uow, MaildirMailbox(folder / "var" / "mailbox"),
               MaildirSender(folder / "var" / "outbox"), intake_settings(config), now=now,
               outgoing=lambda i: OutgoingMessage(i.raw, i.sender, tuple(recipients_of(i))))
    registered.close()


def outbox_to(path, address: str) -> list:
    box = stdlib_mailbox.Maildir(path / "var" / "outbox")
    found = [message_from_bytes(box.get_bytes(k), policy=policy.default) for k in box.keys()]  # noqa: SIM118
    return [m for m in found if address in str(m["To"])]


def test_draft_submit_and_approve_send_the_letter_with_its_pdf(desk):
    drafted = invoke("draft", REF, "--from", "answers.toml", "--submit", "--now",
                     "2026-11-10T10:00")
    assert drafted.exit_code == 0, drafted.output
    assert drafted.stdout.strip() == f"{REF}: draft v1 sent to {REVIEWER} for approval"
    [review] = outbox_to(desk, REVIEWER)
    assert "APPROVE" in review.get_body(("plain",)).get_content()
    approved = invoke("approve", REF, "--as", REVIEWER, "--now", "2026-11-11T10:00")
    assert approved.stdout.strip() == f"{REF}: draft v1 sent"
    [response] = [m for m in outbox_to(desk, "jane@example.org")
                  if "Response to your request" in str(m["Subject"])]
    text = response.get_body(("plain",)).get_content()
    assert "The figures are correct as of 1 November 2026." in text
    assert "https://example.gov.uk/disclosure-log" in text
    assert "A. Decider, FOI Decision Maker" in text
    [pdf] = list(response.iter_attachments())
    assert pdf.get_content_type() == "application/pdf"
    case = invoke("case", REF, "--json")
    assert '"status": "closed"' in case.stdout and '"outcome": "partial"' in case.stdout


def test_an_unauthorised_approval_and_a_lawless_draft_are_refused(desk):
    bad = desk / "bad.txt"
    bad.write_text("Outcome: refused\n1. No.\n")
    refused = invoke("draft", REF, "--from", str(bad))
    assert refused.exit_code == 2
    assert "FOIA s17 requires the exemption" in refused.stderr
    invoke("draft", REF, "--from", "answers.toml", "--submit")
    intruder = invoke("approve", REF, "--as", "someone@example.gov.uk")
    assert intruder.exit_code == 1
    assert "not an authorised reviewer" in intruder.stderr
    rejected = invoke("reject", REF, "--as", REVIEWER, "--reason", "Explain the harm")
    assert rejected.stdout.strip() == f"{REF}: draft v1 rejected"


def test_clock_letters_from_the_terminal(desk):
    assert invoke("clarify", REF, "--question", "Which roads?", "--now",
                  "2026-11-03T10:00").exit_code == 0
    assert any("clarification" in str(m["Subject"]).lower()
               for m in outbox_to(desk, "jane@example.org"))
    assert '"due_on": null' in invoke("case", REF, "--json").stdout


def test_fees_and_extension_from_the_terminal(desk):
    noticed = invoke("fee-notice", REF, "--amount", "25.00", "--now", "2026-11-03T10:00")
    assert noticed.exit_code == 0, noticed.output
    paid = invoke("fee-paid", REF, "2026-11-05", "--now", "2026-11-05T10:00")
    assert paid.stdout.strip() == f"{REF}: paid; due 2026-12-04"
    extended = invoke("extend", REF, "pit", "--reason", "Weighing s31", "--now",
                      "2026-11-20T10:00")
    # 20 more working days: Christmas, Boxing Day, New Year and 2 January (Scotland,
    # observed Monday 4 January 2027) skipped
    assert extended.stdout.strip() == f"{REF}: extended; due 2027-01-07"
    late = invoke("extend", REF, "pit", "--reason", "again")
    assert late.exit_code == 2 and "already extended" in late.stderr


def test_a_section_12_refusal_is_drafted_and_sent_for_review(desk):
    result = invoke("refuse", REF, "s12", "--reason", "Locating it would take over 18 hours.")
    assert result.stdout.strip() == f"{REF}: s12 refusal drafted and sent to {REVIEWER}"
    [review] = outbox_to(desk, REVIEWER)
    assert "Section 12 - Cost of compliance exceeds the appropriate limit" in review.get_body(
        ("plain",)).get_content()


def test_the_review_decision_form_approves_through_prefect(desk, prefect_harness):
    from flows.review import ReviewDecision, review_decision

    invoke("draft", REF, "--from", "answers.toml", "--submit")
    with pytest.raises(ValueError, match="needs a comment"):
        review_decision(ReviewDecision(reference=REF, decision="reject", reviewer=REVIEWER),
                        config_path=str(desk / "foidesk.toml"))
    status = review_decision(
        ReviewDecision(reference=REF, decision="approve", reviewer=REVIEWER),
        config_path=str(desk / "foidesk.toml"), now="2026-11-12T10:00")
    assert status == "sent"
    assert [m for m in outbox_to(desk, "jane@example.org")
            if "Response to your request" in str(m["Subject"])]


def test_the_starter_file_lists_the_questions(desk):
    result = invoke("draft", REF, "--starter")
    assert result.exit_code == 0, result.output
    assert "# 1 How many potholes were reported in 2025?" in result.stdout
    assert "\n1. \n" in result.stdout and result.stdout.startswith("Outcome: granted")


POSTAL_ANSWERS = '''outcome = "granted"
[answers]
"1" = "The force received £1,204,000 in 2025."
'''


def test_a_request_by_post_goes_from_new_to_approve_like_a_mailed_one(desk):
    registered = invoke(
        "new", "--subject", "Speed camera income", "--requester", "Siân Ŵyn Ďvořák",
        "--address", "7 Heol y Castell, Exampleton EX2 7QQ", "--received", "2026-11-03T10:00",
        "--question", "How much did the council receive from speed cameras in 2025?",
        "--now", "2026-11-03T11:00")
    assert registered.exit_code == 0, registered.output
    ref = "FOI 000002/26"
    assert registered.stdout.splitlines()[0] == f"{ref} due 2026-12-02"
    assert "letter to print and post" in registered.stdout
    letter = desk / "FOI-000002-26-acknowledgement.pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(letter).pages).split())
    assert "Dear Siân Ŵyn Ďvořák," in text and "7 Heol y Castell Exampleton EX2 7QQ" in text
    assert "section 10(1) of the Freedom of Information Act 2000" in text
    assert '"status": "acknowledged"' in invoke("case", ref, "--json").stdout
    (desk / "postal.toml").write_text(POSTAL_ANSWERS, encoding="utf-8")
    drafted = invoke("draft", ref, "--from", "postal.toml", "--submit", "--now",
                     "2026-11-10T10:00")
    assert drafted.exit_code == 0, drafted.output
    [review] = [m for m in outbox_to(desk, REVIEWER) if ref in str(m["Subject"])]
    assert "DRAFT" in str(review["Subject"])
    [draft_pdf] = list(review.iter_attachments())
    assert draft_pdf.get_filename() == "FOI-000002-26-response-DRAFT-v1.pdf"
    approved = invoke("approve", ref, "--as", REVIEWER, "--now", "2026-11-12T10:00")
    assert approved.exit_code == 0, approved.output
    assert "print FOI-000002-26-response.pdf and post it" in approved.stdout
    final = " ".join(" ".join(p.extract_text() for p in PdfReader(
        desk / "FOI-000002-26-response.pdf").pages).split())
    assert "12 November 2026" in final and "10 November 2026" not in final  # dated on sending
    assert "DRAFT" not in final and "£1,204,000" in final
    assert "Siân Ŵyn Ďvořák" in final and "Yours sincerely, A. Decider" in final
    assert '"status": "closed"' in invoke("case", ref, "--json").stdout


def test_a_review_by_post_is_its_own_case_and_case_shows_the_link(desk):
    invoke("draft", REF, "--from", "answers.toml", "--submit", "--now", "2026-11-10T10:00")
    invoke("approve", REF, "--as", REVIEWER, "--now", "2026-11-11T10:00")
    before = json.loads(invoke("case", REF, "--json").stdout)
    opened = invoke("review", REF, "--grounds", "The repair times are published already.",
                    "--received", "2026-11-16", "--now", "2026-11-16T12:00")
    assert opened.exit_code == 0, opened.output
    assert opened.stdout.strip() == f"{REF}-IR due 2026-12-15 (the review of {REF})"
    original = json.loads(invoke("case", REF, "--json").stdout)
    for field in ("regime", "status", "outcome", "responded_at", "in_time", "due_on"):
        assert original[field] == before[field], field
    assert original["linked_cases"] == [{
        "reference": f"{REF}-IR", "regime": "foia-review", "status": "acknowledged",
        "received_on": "2026-11-16", "due_on": "2026-12-15", "outcome": None, "in_time": None}]
    review = json.loads(invoke("case", f"{REF}-IR", "--json").stdout)
    assert review["linked_to"]["reference"] == REF
    assert "request for an internal review received" in " ".join(review["deadline_explanation"])
    assert "clarification" not in " ".join(review["deadline_explanation"])
    human = invoke("case", REF).stdout
    assert "│ linked" in human and f"{REF}-IR (foia-review," in human
    [ack] = [m for m in outbox_to(desk, "jane@example.org")
             if "Internal review requested" in str(m["Subject"])]
    assert f"{REF}-IR" in ack.get_body(("plain",)).get_content()
    again = invoke("review", REF, "--grounds", "Again.", "--now", "2026-11-17T12:00")
    assert again.exit_code == 1 and "already has an open review" in again.stderr


def test_a_message_that_quotes_the_review_s_reference_is_filed_on_the_review(desk):
    invoke("draft", REF, "--from", "answers.toml", "--submit", "--now", "2026-11-10T10:00")
    invoke("approve", REF, "--as", REVIEWER, "--now", "2026-11-11T10:00")
    invoke("review", REF, "--grounds", "The exemption does not apply.", "--now",
           "2026-11-16T12:00")
    inbox = stdlib_mailbox.Maildir(desk / "var" / "mailbox")
    inbox.add(request_email(9, subject=f"About {REF}-IR", body="Any news on my review?"))
    run_intake_once(desk, datetime(2026, 11, 17, 9, 0, tzinfo=UTC))
    review = json.loads(invoke("case", f"{REF}-IR", "--json").stdout)
    assert "requester_replied" in [e["action"] for e in review["events"]]
    original = json.loads(invoke("case", REF, "--json").stdout)
    assert "requester_replied" not in [e["action"] for e in original["events"]]
