"""The owner loop over 25 working days, day by day, against real servers: which emails
go to whom on which day (Dovecot receives the mail, aiosmtpd the emails foidesk sends)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from intake_support import OWNER, TEAM, request_email, server_desk, settings

from connectors.base import OutgoingMessage
from foidesk.chasing import Schedule
from foidesk.outbox import drain, recipients_of
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.cases import ClockEventKind, record_clock_event
from foidesk.services.chasing import ChaseSettings, run_chase
from foidesk.services.intake import run_intake

DEPUTY = "roads.deputy@example.gov.uk"
MANAGER = "foi.manager@example.gov.uk"
HEAD = "head.of.service@example.gov.uk"
REQUESTER = "jane@example.org"
FOLDER = "FOIInbox"
REF = "FOI 000001/26"


def outgoing(item):
    return OutgoingMessage(item.raw, item.sender, tuple(recipients_of(item)))


class Desk:
    """The FOI desk over simulated days: intake at 09:00, chase and escalate at 08:00."""

    def __init__(self, engine, mailbox, admin, smtp, sender) -> None:
        self.engine, self.mailbox, self.admin, self.smtp, self.sender = (
            engine, mailbox, admin, smtp, sender)
        self.intake_settings = settings()
        self.chase = ChaseSettings(
            schedule=Schedule(), renderer=self.intake_settings.renderer,
            authority=self.intake_settings.authority, deadlines=self.intake_settings.deadlines,
            manager=MANAGER, head=HEAD,
        )
        self.intake_settings = replace(self.intake_settings, chase=self.chase)
        self.seen = 0

    def uow(self):
        return SqlUnitOfWork(self.engine)

    def deliver(self, raw: bytes, at: datetime) -> None:
        self.admin.append(FOLDER, raw, msg_time=at)

    def intake(self, now: datetime) -> None:
        run_intake(self.uow, self.mailbox, self.sender, self.intake_settings, now=now,
                   outgoing=outgoing)

    def morning(self, now: datetime) -> None:
        for kind in ("chase", "escalate"):
            run_chase(self.uow(), self.chase, now=now, kind=kind)
        drain(self.uow, self.sender, outgoing, now=now)

    def day(self, day: date, mail: list[bytes] = ()) -> list[tuple[str, str]]:
        """Run one working day; return (recipient, subject) of everything sent that day."""
        morning = datetime(day.year, day.month, day.day, 7, 0, tzinfo=UTC)  # 08:00 BST
        self.morning(morning)
        for n, raw in enumerate(mail):
            self.deliver(raw, morning + timedelta(hours=1, minutes=n))
        self.intake(morning + timedelta(hours=2))
        sent = self.smtp.handler.received[self.seen:]
        self.seen = len(self.smtp.handler.received)
        found = []
        for _, recipients, content in sent:
            subject = str(message_from_bytes(content, policy=policy.default)["Subject"])
            found += [(r, " ".join(subject.split())) for r in recipients]
        return sorted(found)

    def sent_message(self, recipient: str, contains: str):
        for _, recipients, content in self.smtp.handler.received:
            message = message_from_bytes(content, policy=policy.default)
            if recipient in recipients and contains in str(message["Subject"]):
                return message
        raise AssertionError(f"nothing to {recipient} about {contains!r}")


@pytest.fixture
def desk(tmp_path, dovecot_plain):
    with server_desk(f"sqlite:///{tmp_path / 'register.db'}", dovecot_plain, FOLDER) as parts:
        yield Desk(*parts)


def working_days(start: date, end: date) -> list[date]:
    days, day = [], start
    while day <= end:
        if day.weekday() < 5 and day != date(2026, 7, 13):  # the Boyne (NI), observed
            days.append(day)
        day += timedelta(days=1)
    return days


def owner_reply(n: int, desk: Desk, contains: str, body: str, *, sender=OWNER,
                auto: bool = False) -> bytes:
    chased = desk.sent_message(OWNER, contains)
    headers = {"In-Reply-To": str(chased["Message-ID"])}
    if auto:
        headers["Auto-Submitted"] = "auto-replied"
    return request_email(n, sender=sender, subject=f"Re: {chased['Subject']}", body=body,
                         headers=headers)


def test_twenty_five_working_days_of_chasing_and_escalation(desk):
    """The request arrives on Thursday 2 July 2026. Its owner's part is due on Friday 17 July
    (10 working days, the Battle of the Boyne holiday in Northern Ireland on Monday 13 July
    skipped) and the statutory deadline is Friday 31 July (20 working days)."""
    timeline: dict[date, list[tuple[str, str]]] = {}
    request = request_email(1)
    timeline[date(2026, 7, 2)] = desk.day(date(2026, 7, 2), [request])
    for day in working_days(date(2026, 7, 3), date(2026, 8, 7)):
        mail: list[bytes] = []
        if day == date(2026, 7, 17):
            desk.morning(datetime(2026, 7, 17, 7, 0, tzinfo=UTC))
            mail = [owner_reply(2, desk, "Due today", "I am out of the office until 27 July.",
                                auto=True)]
        if day == date(2026, 7, 22):
            mail = [owner_reply(3, desk, "Overdue", "We received 1,204 pothole reports in "
                                "2025 and repaired 1,010 within 28 days.")]
        timeline[day] = desk.day(day, mail)
        if day == date(2026, 7, 15):
            desk.morning(datetime(2026, 7, 15, 7, 30, tzinfo=UTC))  # a rerun the same day
            assert desk.day(day) == []
    sent = {day: emails for day, emails in timeline.items() if emails}
    assert sent == {
        date(2026, 7, 2): [
            (REQUESTER, f"[{REF}] Freedom of Information request: potholes"),
            (OWNER, f"[{REF}] Information needed by 17 July 2026: Freedom of Information "
                    "request: potholes"),
        ],
        date(2026, 7, 15): [(OWNER, f"[{REF}] Reminder: your information is due on 17 July 2026")],
        date(2026, 7, 17): [
            (DEPUTY, f"[{REF}] Due today: please send your information"),
            (OWNER, f"[{REF}] Due today: please send your information"),
        ],
        date(2026, 7, 20): [(DEPUTY, f"[{REF}] Escalated to you as deputy: {OWNER} has not "
                                     "sent the information due on 17 July 2026")],
        date(2026, 7, 21): [(OWNER, f"[{REF}] Overdue: your information was due on 17 July 2026")],
        date(2026, 7, 22): [(TEAM, f"[{REF}] An owner replied on {REF}")],
        date(2026, 7, 24): [(MANAGER, f"[{REF}] Statutory deadline 31 July 2026 is 5 working "
                                      "days away and no response is approved")],
        # Monday 3 August is Scotland's summer bank holiday: not yet a working day late.
        date(2026, 8, 3): [(HEAD, f"[{REF}] Statutory deadline 31 July 2026 missed: no "
                                  "working day has passed since")],
    }
    with desk.uow() as uow:
        case = uow.cases.get(REF)
        events = [e.action for e in uow.cases.events(case)]
        assert case.status == "drafting"
        assert [a.state for a in case.assignments] == ["supplied"]
    assert "owner_out_of_office" in events
    # The manager is told what the case waits for and what they can do, not asked for
    # information as an owner would be.
    manager = desk.sent_message(MANAGER, "Statutory deadline").get_body(("plain",)).get_content()
    assert "Waiting for: the draft response" in manager
    assert "What you can do:" in manager
    assert "If you hold none of the information" not in manager and "Why:" not in manager
    # The deputy's copy on 17 July says why it came to them.
    rerouted = desk.sent_message(DEPUTY, "Due today")
    assert "out of the office" in rerouted.get_body(("plain",)).get_content()


def test_a_clarification_pause_stops_chasing_and_the_restart_resumes_it(desk):
    desk.day(date(2026, 7, 2), [request_email(1)])
    record_clock_event(desk.uow(), REF, ClockEventKind.CLARIFICATION_REQUESTED,
                       date(2026, 7, 6), policy=desk.intake_settings.deadlines, actor="officer",
                       now=datetime(2026, 7, 6, 9, tzinfo=UTC))
    quiet = {day: desk.day(day) for day in working_days(date(2026, 7, 7), date(2026, 7, 24))}
    assert all(emails == [] for emails in quiet.values())  # nobody chased while paused
    clarification = request_email(
        4, subject=f"Re: [{REF}] potholes", body="I meant reports on A roads only.")
    restart = desk.day(date(2026, 7, 27), [clarification])
    assert (REQUESTER, f"[{REF}] Clarification received: Freedom of Information request: "
                       "potholes") in restart
    with desk.uow() as uow:
        case = uow.cases.get(REF)
        # 20 working days from 27 July, Scotland's summer bank holiday (3 August) skipped
        assert case.due_on == date(2026, 8, 25)
        [assignment] = case.assignments
        assert assignment.internal_due_on == date(2026, 8, 11)  # a fresh 10 working days
    later = {day: desk.day(day) for day in working_days(date(2026, 7, 28), date(2026, 8, 11))}
    assert {day: emails for day, emails in later.items() if emails} == {
        date(2026, 8, 7): [(OWNER, f"[{REF}] Reminder: your information is due on 11 August 2026")],
        date(2026, 8, 11): [(OWNER, f"[{REF}] Due today: please send your information")],
    }
    # The owner is chased with the agreed scope: the questions and the clarification.
    reminder = desk.sent_message(OWNER, "Reminder: your information is due on 11 August")
    text = reminder.get_body(("plain",)).get_content()
    assert "The requester clarified the request on 27 July 2026" in text
    assert "I meant reports on A roads only." in text


def test_a_withdrawal_stops_everything(desk):
    desk.day(date(2026, 7, 2), [request_email(1)])
    desk.day(date(2026, 7, 3), [request_email(5, subject=f"Re: [{REF}] potholes",
                                              body="Please withdraw my request.")])
    after = {day: desk.day(day) for day in working_days(date(2026, 7, 6), date(2026, 8, 7))}
    assert all(emails == [] for emails in after.values())
    with desk.uow() as uow:
        assert uow.cases.get(REF).status == "withdrawn"


def test_a_holding_reply_keeps_the_assignment_open_and_chased(desk):
    desk.day(date(2026, 7, 2), [request_email(1)])
    [task] = [m for _, r, m in desk.smtp.handler.received if OWNER in r]
    task = message_from_bytes(task, policy=policy.default)
    holding = request_email(6, sender=OWNER, subject=f"Re: {task['Subject']}",
                            body="I will send it by Friday.",
                            headers={"In-Reply-To": str(task["Message-ID"])})
    desk.day(date(2026, 7, 3), [holding])
    with desk.uow() as uow:
        case = uow.cases.get(REF)
        assert [a.state for a in case.assignments] == ["holding"]
        assert case.status == "awaiting_owner"
    emails = {day: desk.day(day) for day in working_days(date(2026, 7, 6), date(2026, 7, 15))}
    assert emails[date(2026, 7, 15)] == [
        (OWNER, f"[{REF}] Reminder: your information is due on 17 July 2026")]


def test_a_manager_answers_an_escalation_with_one_line(desk):
    from foidesk.services.responses import ResponseSettings

    base = desk.intake_settings
    desk.intake_settings = replace(base, responses=ResponseSettings(
        renderer=base.renderer, authority=base.authority, deadlines=base.deadlines,
        internal_domains=frozenset({"example.gov.uk"})))
    desk.day(date(2026, 7, 2), [request_email(1)])
    for day in working_days(date(2026, 7, 3), date(2026, 7, 24)):
        desk.day(day)
    escalation = desk.sent_message(MANAGER, "Statutory deadline")
    text = escalation.get_body(("plain",)).get_content()
    assert "REASSIGN name@domain" in text and f"{OWNER} (their part was due on 17 July" in text

    def reply(n: int, body: str, sender: str = MANAGER, signed: bool = True) -> bytes:
        headers = {"In-Reply-To": str(escalation["Message-ID"])}
        if signed:
            headers["Authentication-Results"] = ("mx.example.gov.uk; dkim=pass "
                                                 "header.d=example.gov.uk")
        return request_email(n, sender=sender, subject=f"Re: {escalation['Subject']}",
                             body=body, headers=headers)

    # The new owner's date is ten working days away, but never after the statutory 31 July.
    sent = desk.day(date(2026, 7, 27), [
        reply(5, "CHASED", sender="someone.else@example.gov.uk"),
        reply(6, "REASSIGN pat.newowner@example.gov.uk\n\nPat has the figures."),
        reply(7, "EXTEND PIT the s31 balance needs legal advice"),
        reply(8, "CHASED", signed=False),
    ])
    assert ("pat.newowner@example.gov.uk",
            f"[{REF}] Information needed by 31 July 2026: Freedom of Information request: "
            "potholes") in [(to, s) for to, s in sent if to == "pat.newowner@example.gov.uk"]
    with desk.uow() as uow:
        case = uow.cases.get(REF)
        assert [(a.owner, a.state) for a in case.assignments] == [
            (OWNER, "reassigned"), ("pat.newowner@example.gov.uk", "pending")]
        assert case.extension is None  # asked for, never applied by itself
        actions = [e.action for e in uow.cases.events(case)]
    assert actions.count("escalation_reply_refused") == 2  # not the recipient; unsigned
    assert "extension_asked" in actions
    assert any("An extension is asked for" in s for to, s in sent if to == TEAM)
