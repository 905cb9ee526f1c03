"""Hostile requests: template syntax and header injection come out as plain text."""

from __future__ import annotations

import mailbox as stdlib_mailbox
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

from intake_support import settings

from connectors.base import OutgoingMessage
from connectors.maildir import MaildirMailbox, MaildirSender
from foidesk.outbox import recipients_of
from foidesk.register.database import create_register_engine
from foidesk.register.migrate import upgrade
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.intake import run_intake

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def run(tmp_path, raw: bytes) -> list:
    engine = create_register_engine(f"sqlite:///{tmp_path / 'r.db'}")
    upgrade(engine)
    inbox = MaildirMailbox(tmp_path / "in")
    inbox.inbox.add(raw)
    run_intake(lambda: SqlUnitOfWork(engine), inbox, MaildirSender(tmp_path / "out"),
               settings(), now=NOW,
               outgoing=lambda i: OutgoingMessage(i.raw, i.sender, tuple(recipients_of(i))))
    engine.dispose()
    box = stdlib_mailbox.Maildir(tmp_path / "out")
    return [message_from_bytes(box.get_bytes(k), policy=policy.default) for k in box.keys()]  # noqa: SIM118


def test_template_syntax_in_a_request_comes_out_literally(tmp_path):
    raw = (b"From: {{ config }} <a@example.org>\r\nSubject: {{ 7*7 }} {% raw %}x\r\n"
           b"Message-ID: <t@example.org>\r\n\r\nPlease provide {{ authority.name }} and "
           b"{% for x in range(3) %}{{ x }}{% endfor %}.\r\n")
    [ack] = [m for m in run(tmp_path, raw) if "a@example.org" in str(m["To"])]
    assert str(ack["Subject"]) == "[FOI 000001/26] {{ 7*7 }} {% raw %}x"
    text = ack.get_body(("plain",)).get_content()
    assert "{{ authority.name }}" in text and "{% for x in range(3) %}" in text
    assert "Dear {{ config }}" in text and "49" not in text
    html = ack.get_body(("html",)).get_content()
    assert "{{ authority.name }}" in html


def test_cr_lf_in_a_name_or_subject_never_makes_a_header(tmp_path):
    raw = (b"From: =?utf-8?q?Evil=0D=0ABcc=3A_victim=40example=2Eorg?= <a@example.org>\r\n"
           b"Subject: =?utf-8?q?Hello=0D=0ABcc=3A_victim2=40example=2Eorg?=\r\n"
           b"Message-ID: <h@example.org>\r\n\r\nPlease provide the budget.\r\n")
    messages = run(tmp_path, raw)
    [ack] = [m for m in messages if "a@example.org" in str(m["To"])]
    assert ack["Bcc"] is None
    assert all("victim" not in str(m["To"]) and m["Bcc"] is None for m in messages)
    assert "\n" not in str(ack["Subject"])


def test_html_from_a_requester_is_escaped_in_our_html(tmp_path):
    raw = (b"From: a@example.org\r\nSubject: <script>alert(1)</script>\r\n"
           b"Message-ID: <x@example.org>\r\n\r\nPlease send me the budget <img src=x "
           b"onerror=alert(1)>.\r\n")
    [ack] = [m for m in run(tmp_path, raw) if "a@example.org" in str(m["To"])]
    html = ack.get_body(("html",)).get_content()
    assert "<img src=x" not in html and "&lt;img src=x" in html


HOSTILE_HTML = """<html><head><style>body{display:none}</style><script>steal()</script></head>
<body onload="steal()"><p>Under the FOI Act please tell me about
<b>potholes</b>:</p><ol><li>How many in 2025?</li><li>How many repaired?</li></ol>
<img src="https://tracker.example.net/open.gif?officer=1">
<a href="javascript:steal()">click</a> <a href="https://example.org/context">context</a>
<iframe src="https://evil.example.net"></iframe><form action="https://evil.example.net">
<input name="password"></form><!-- <script>hidden()</script> --></body></html>"""


def test_requester_html_reaches_the_owner_sanitised_by_nh3(tmp_path):
    message = EmailMessage()
    message["From"] = "Jane <jane@example.org>"
    message["Subject"] = "FOI request: potholes"
    message["Message-ID"] = "<html@example.org>"
    message.set_content(HOSTILE_HTML, subtype="html")
    [task] = [m for m in run(tmp_path, message.as_bytes())
              if "roads.team@example.gov.uk" in str(m["To"])]
    html = task.get_body(("html",)).get_content()
    assert "<ol><li>How many in 2025?</li>" in html and "<b>potholes</b>" in html  # kept
    for banned in ("<script", "steal()", "onload", "<img", "tracker.example.net",
                   "javascript:", "<iframe", "<form", "<input", "hidden()", "<style"):
        assert banned not in html, banned
    assert '<a href="https://example.org/context" rel="noopener noreferrer nofollow">' in html
