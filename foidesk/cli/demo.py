"""`foidesk demo`: the whole desk over about 30 working days, on the embedded default.

A Maildir mailbox, the SQLite register and an ephemeral Prefect server; realistic
mail arrives day by day, the real flows run with the injectable clock, and the
officer's and reviewers' actions happen as they would. Everything sent is left as
.eml files under `outbox/`, every letter as a PDF under `letters/`.
"""

from __future__ import annotations

import io
import mailbox as stdlib_mailbox
import os
import re
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

LONDON = ZoneInfo("Europe/London")
START = date(2026, 11, 2)
AUTHORITY = "Exampleshire Constabulary"
FOI = "foi@exampleshire.police.uk"
TEAM = "foi.officers@exampleshire.police.uk"
DIGITAL = "digital.policing@exampleshire.police.uk"
DIGITAL_DEPUTY = "digital.deputy@exampleshire.police.uk"
ENVIRONMENT = "estates.environment@exampleshire.police.uk"
ENVIRONMENT_DEPUTY = "estates.deputy@exampleshire.police.uk"
RECORDS = "information.management@exampleshire.police.uk"
REVIEWER = "decision.maker@exampleshire.police.uk"
SECOND_REVIEWER = "head.of.information@exampleshire.police.uk"
MANAGER = "foi.manager@exampleshire.police.uk"
HEAD = "deputy.chief.constable@exampleshire.police.uk"
JANE = "jane.requester@example.org"
BOB = "bob.green@example.net"
CAROL = "carol@old-isp.example"
SIAN = "sian.apdafydd@example.cymru"
WELSH_CASE = "FOI 000004/26"  # with --welsh: the fourth request, written in Welsh

CONFIG = f"""# The demo's config: the embedded default (Maildir in, Maildir out, SQLite).
[authority]
name = "{AUTHORITY}"
postal_address = "Freedom of Information Team, Police Headquarters, Exampleton EX1 1AA"
foi_address = "{FOI}"
team_address = "{TEAM}"
disclosure_log_url = "https://www.exampleshire.police.uk/foi/disclosure-log"
internal_domains = ["exampleshire.police.uk"]

[authority.decision_maker]
name = "A. Decider"
title = "Freedom of Information Decision Maker"
email = "{REVIEWER}"

[database]
url = "sqlite:///var/foidesk.db"

[mailbox]
kind = "maildir"
path = "var/mailbox"

[sender]
kind = "maildir"
path = "var/sent"

[[routing]]
name = "Digital policing"
keywords = ["facial recognition"]
owner = "{DIGITAL}"
deputy = "{DIGITAL_DEPUTY}"

[[routing]]
name = "Estates and environment"
keywords = ["air quality", "emissions"]
owner = "{ENVIRONMENT}"
deputy = "{ENVIRONMENT_DEPUTY}"

[escalation]
manager = "{MANAGER}"
head_of_service = "{HEAD}"

[[reviewers]]
name = "A. Decider"
email = "{REVIEWER}"
regimes = ["foia", "eir", "sar"]

[[reviewers]]
name = "B. Senior"
email = "{SECOND_REVIEWER}"
regimes = ["foia-review", "eir-review", "dp-complaint"]

[[letters.signatories]]
name = "A. Decider"
role = "Freedom of Information Decision Maker"
regimes = ["foia", "eir", "sar"]

[[letters.signatories]]
name = "B. Senior"
role = "Head of Information Management (internal reviews)"
regimes = ["foia-review", "eir-review", "dp-complaint"]
"""

DKIM = "mx.exampleshire.police.uk; dkim=pass header.d=exampleshire.police.uk"
# With --welsh the force is bound by the Welsh Language Standards and answers in Welsh.
WELSH_CONFIG = """languages = ["en", "cy"]
welsh_language_standards = true
welsh_name = "Heddlu Swydd Enghraifft"
"""
WELSH_REQUEST = """Annwyl Swyddog Rhyddid Gwybodaeth,

O dan Ddeddf Rhyddid Gwybodaeth 2000, hoffwn gael yr wybodaeth ganlynol:

1. Faint o swyddogion yr heddlu sy'n gallu siarad Cymraeg yn rhugl, fesul ardal blismona?
2. Faint o alwadau 999 a atebwyd yn Gymraeg yn 2025?

Yn gywir,
Siân ap Dafydd
"""
WELSH_CLARIFICATION = ("A ydych am gael y ffigurau ar gyfer swyddogion yr heddlu yn unig, neu "
                       "ar gyfer swyddogion cymorth cymunedol yr heddlu hefyd?")
ENGLISH_ANSWERS = """Outcome: granted
1. 212 police officers and 31 police community support officers speak Welsh fluently.
2. 1,480 emergency calls were answered in Welsh in 2025.
"""
WELSH_ANSWERS = """Outcome: granted
1. Mae 212 o swyddogion yr heddlu a 31 o swyddogion cymorth cymunedol yn siarad Cymraeg yn
rhugl: 118 yn ardal y Gorllewin (gan gynnwys gorsafoedd Tŷ-du a Llanfair-ym-Muallt), 64 yn
ardal y Gogledd a 61 yn ardal y Dwyrain.
2. Atebwyd 1,480 o alwadau 999 yn Gymraeg yn 2025. Mae'r ffigur yn cynnwys galwadau a
drosglwyddwyd i'r ystafell reoli yng Nghaerfyrddin, lle mae'r tîm sy'n siarad Cymraeg ar
ddyletswydd bob awr o'r dydd, ar ddiwrnodau gŵyl hefyd.
"""
SEED_REQUEST = """Dear Freedom of Information Officer,

Under the Freedom of Information Act 2000, please provide the following information.

1 Has your police force discussed using live facial recognition with external companies, or
other police forces? If so, please provide details, including of any demonstrations.
2 Has your police force used live facial recognition? If so, please provide details including
the time period of use, locations, and which uses have ceased or are continuing.
3 Has your force collaborated with any external companies in the course of their use of live
facial recognition? If so, please provide details including the time period of use,
locations, any costs involved, and which uses have ceased or are continuing.
3a If the answer to 3 is yes, what was the protocol arranged for the event of a match alert?
3b If the answer to 3 is yes, how many times was your force informed of a match alert? How
many of those led to further police action being taken?
4 How many true positive matches were there during your force's use, or engagement with
external use, of live facial recognition?
5 How many false positive matches were there during your force's use, or engagement with
external use, of live facial recognition?
6 Does your force have any policy guidance relating to live facial recognition and/or the
retention of images resulting from the use of live facial recognition?
6a If yes, when were the policies created? (Please provide a copy of said policies)
6b How many images captured in the course of using automated facial recognition technology
have been retained for storage?
7 Has your force completed a privacy impact assessment in relation to live facial recognition
technology? If so, please provide a copy.
8 Has your force scrutinised a privacy impact assessment conducted by any external companies
operating live facial recognition with whom you have collaborated? If so, please describe
when and provide a copy.
9 Has your force shared facial images with external companies for the purposes of live
facial recognition? If so please detail: A which companies the images were shared with,
B the number of images shared, C from which datasets the images were drawn, D a full list of
purposes for which the images were shared, E the legal basis on which the images were
shared, F and data security/management protocols around the handling of the shared data.

Yours faithfully,
Jane Requester
"""
LFR_ANSWERS = """Outcome: partial-ncnd
Exemption: s24(2)
Exemption: s31(3)
Note: The response provided below is correct as of the date of this letter.
1. The Constabulary does not use overt automated facial recognition software and has no
correspondence with external companies regarding this.
2. No. See the answer to question 1.
CLEAN 1
"""


@dataclass
class Day:
    day: date
    arrived: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)


class Scenario:
    """The demo's world: its folders, its clock, and what it has seen so far."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.config_path = workdir / "foidesk.toml"
        self.inbox_path = workdir / "var" / "mailbox"
        self.sent_path = workdir / "var" / "sent"
        self.counter = 0
        self.days: list[Day] = []

    # -- mail from the outside world ------------------------------------------------------

    def deliver(self, raw: bytes, at: datetime) -> None:
        box = stdlib_mailbox.Maildir(self.inbox_path, create=True)
        key = box.add(raw)
        path = self.inbox_path / box._lookup(key)
        os.utime(path, (at.timestamp(), at.timestamp()))

    def email(self, sender: str, subject: str, body: str, *,
              attachments: tuple[tuple[str, bytes], ...] = (), **headers: str) -> bytes:
        self.counter += 1
        message = EmailMessage()
        message["From"] = sender
        message["To"] = FOI
        message["Subject"] = subject
        message["Message-ID"] = f"<demo-{self.counter}@{sender.split('@')[-1].rstrip('>')}>"
        for name, value in headers.items():
            message[name.replace("_", "-")] = value
        message.set_content(body)
        for name, data in attachments:
            message.add_attachment(data, maintype="application",
                                   subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                   filename=name)
        return message.as_bytes()

    def sent_to(self, address: str, subject_contains: str = "") -> list:
        box = stdlib_mailbox.Maildir(self.sent_path, create=True)
        found = [message_from_bytes(box.get_bytes(k), policy=policy.default)
                 for k in sorted(box.keys())]
        return [m for m in found if address in str(m["To"])
                and subject_contains in str(m["Subject"])]

    def reply_to(self, message, sender: str, body: str, *,
                 attachments: tuple[tuple[str, bytes], ...] = (), **headers: str) -> bytes:
        return self.email(sender, f"Re: {message['Subject']}", body, attachments=attachments,
                          In_Reply_To=str(message["Message-ID"]), **headers)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON).astimezone(UTC)


def _working_days(count: int) -> list[date]:
    from foidesk.calendar import WorkingDayCalendar

    calendar = WorkingDayCalendar()
    days, day = [], START
    while len(days) < count:
        if calendar.is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def run_demo(workdir: Path, console: Console, days: int = 30, welsh: bool = False) -> int:
    """Build the desk, play the scenario, print the timeline; returns the exit code."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # no network here
    started = time.monotonic()
    if workdir.exists():
        shutil.rmtree(workdir)
    (workdir / "var").mkdir(parents=True)
    # The demo's Prefect state is its own: never the user's ~/.prefect, never a previous
    # demo's runs and artifacts piled on this one's.
    os.environ["PREFECT_HOME"] = str((workdir / "prefect").resolve())
    scene = Scenario(workdir)
    config_text = CONFIG.replace('internal_domains = ["exampleshire.police.uk"]\n',
                                 'internal_domains = ["exampleshire.police.uk"]\n'
                                 + WELSH_CONFIG) if welsh else CONFIG
    scene.config_path.write_text(config_text, encoding="utf-8")
    calendar_days = _working_days(days)
    plan = _plan(scene, calendar_days)
    if welsh:
        _plan_welsh(scene, calendar_days, plan)
    plan.mail = [entry for entry in plan.mail if entry[0] is not None]
    plan.actions = [entry for entry in plan.actions if entry[0] is not None]

    from flows.chase import chase, escalate
    from flows.dashboard import dashboard
    from flows.intake import intake

    config = str(scene.config_path)
    previous_cwd = Path.cwd()
    os.chdir(workdir)
    try:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task(f"Starting Prefect and playing {days} working days",
                                     total=len(calendar_days))
            for day in calendar_days:
                record = Day(day)
                before = _sent_count(scene)
                morning = _at(day, 8).isoformat()
                chase(config_path=config, now=morning)
                escalate(config_path=config, now=morning)
                for hour, raw in [(h, r) for d, h, r in plan.mail if d == day]:
                    scene.deliver(raw() if callable(raw) else raw, _at(day, hour))
                if any(d == day for d, _, _ in plan.mail):
                    intake(config_path=config, now=_at(day, 11).isoformat())
                for action_day, label, action in plan.actions:
                    if action_day == day:
                        action(_at(day, 14))
                        record.actions.append(label)
                record.arrived = _arrivals(scene, day)
                record.sent = _sends(scene, before)
                scene.days.append(record)
                progress.advance(task)
            dashboard(config_path=config, now=_at(calendar_days[-1], 17).isoformat())
            from flows.report import report

            scene.pack = report(config_path=config,
                                now=_at(calendar_days[-1] + timedelta(days=1), 8).isoformat())
    finally:
        os.chdir(previous_cwd)
    exported = _export(scene)
    _print(scene, console, exported, time.monotonic() - started)
    if welsh:
        _print_welsh(scene, console)
    return 0


# -- the plan -----------------------------------------------------------------------------


@dataclass
class Plan:
    mail: list[tuple[date, int, bytes | Callable[[], bytes]]] = field(default_factory=list)
    actions: list[tuple[date, str, Callable[[datetime], None]]] = field(default_factory=list)


class _Days(dict):
    """The scenario's working days by number; a day past a short run is None, and what
    would happen on it does not."""

    def __missing__(self, number: int) -> None:
        return None


def _plan(scene: Scenario, days: list[date]) -> Plan:
    plan = Plan()
    d = _Days(enumerate(days, start=1))
    s = scene
    plan.mail += [
        (d[1], 9, s.email(f"Jane Requester <{JANE}>", "Live facial recognition", SEED_REQUEST)),
        (d[1], 10, s.email(f"Bob Green <{BOB}>", "Air quality monitoring near schools",
                           "Hello,\n\nPlease send me the air quality and vehicle emissions "
                           "monitoring results your force holds for sites near schools.\n\n"
                           "Thanks,\nBob\n")),
        (d[1], 10, s.email(f"Carol Black <{CAROL}>", "Subject access request",
                           "This is a subject access request for my personal data: all "
                           "information you hold about me.\n\nCarol Black\n")),
        (d[1], 11, s.email("Sam <sam@example.com>", "Umbrella",
                           "Hi, I think I left my umbrella at the front desk last week. "
                           "Blue with white spots.\n")),
        # The next morning: an out-of-office to our acknowledgement, and a bounce.
        (d[2], 8, lambda: s.reply_to(s.sent_to(BOB)[0], f"Bob Green <{BOB}>",
                                     "I am on leave until Monday.",
                                     Auto_Submitted="auto-replied")),
        (d[2], 8, lambda: _bounce(s, s.sent_to(CAROL)[0])),
        (d[4], 9, lambda: s.reply_to(s.sent_to(BOB, "clarification")[0], f"Bob <{BOB}>",
                                     "The three primary schools on Station Road, please.")),
        (d[7], 9, lambda: s.reply_to(s.sent_to(DIGITAL)[0], DIGITAL,
                                     "We do not use overt live facial recognition. Anything "
                                     "about covert use goes through the usual NCND process. "
                                     "The deployment figures are attached.",
                                     attachments=(("lfr-deployments.xlsx",
                                                   deployments_workbook()),))),
        (d[10], 9, lambda: s.reply_to(s.sent_to(REVIEWER, "For approval: DRAFT")[-1],
                                      REVIEWER, "APPROVE", Authentication_Results=DKIM)),
        (d[12], 9, lambda: s.reply_to(s.sent_to(RECORDS)[0], RECORDS,
                                      "Carol's records are attached to the case file.")),
        (d[18], 9, lambda: s.reply_to(s.sent_to(JANE, "Response to your request")[0],
                                      f"Jane Requester <{JANE}>",
                                      "I am not satisfied. Please carry out an internal review "
                                      "of this decision.")),
    ]
    plan.actions += [
        (d[2], "Officer assigns the subject access request to Information Management",
         lambda now: _officer("assign", s, now)),
        (d[2], "Officer asks Bob to clarify which schools",
         lambda now: _officer("clarify", s, now)),
        (d[9], "Officer drafts the LFR response (partial NCND, s24(2), s31(3)) for review; "
               "the check found a very hidden sheet of officers in document 1 "
               "(lfr-deployments.xlsx), so it releases a clean copy (CLEAN 1)",
         lambda now: _officer("draft", s, now)),
        (d[5], "Officer registers a request that came by post; the acknowledgement is a "
               "letter to print", lambda now: _officer("post", s, now)),
        (d[20], f"Officer drafts the outcome of {REVIEW}, the internal review (a case of its "
                "own), for a second reviewer", lambda now: _officer("review", s, now)),
        (d[21], f"Second reviewer approves the outcome of {REVIEW} in the Prefect form",
         lambda now: _officer("decide", s, now)),
    ]
    return plan


def _plan_welsh(scene: Scenario, days: list[date], plan: Plan) -> None:
    """A request written in Welsh, answered in Welsh: acknowledged, clarified, drafted from
    English answers (which cannot be approved), drafted again in Welsh, approved, sent."""
    d = _Days(enumerate(days, start=1))
    s = scene
    plan.mail += [
        (d[1], 11, s.email(f"Siân ap Dafydd <{SIAN}>",
                           "Cais am wybodaeth: swyddogion sy'n siarad Cymraeg", WELSH_REQUEST)),
        (d[3], 9, lambda: s.reply_to(s.sent_to(SIAN, "eglurhad")[0],
                                     f"Siân ap Dafydd <{SIAN}>",
                                     "Swyddogion yr heddlu a swyddogion cymorth cymunedol, os "
                                     "gwelwch yn dda. Diolch yn fawr.")),
        (d[8], 9, lambda: s.reply_to(
            next(m for m in s.sent_to(REVIEWER, "For approval")
                 if WELSH_CASE in str(m["Subject"])), REVIEWER, "APPROVE",
            Authentication_Results=DKIM)),
    ]
    plan.actions += [
        (d[2], f"Officer asks Siân to clarify {WELSH_CASE}, in Welsh (the case is in Welsh, "
               "so a question in English would be refused)",
         lambda now: _officer("welsh_clarify", s, now)),
        (d[6], f"Officer drafts {WELSH_CASE} from answers written in English: the draft "
               "lists both as still to translate, and it cannot be approved; the "
               "translated answers make draft 2, sent for review",
         lambda now: _officer("welsh_draft", s, now)),
    ]


def deployments_workbook() -> bytes:
    """The owner's spreadsheet: figures a reader sees, and a very hidden sheet of the
    officers trained to deploy the technology, as the 2023 spreadsheet had."""
    from openpyxl import Workbook

    book = Workbook()
    figures = book.active
    figures.title = "Deployments"
    figures.append(["Year", "Overt deployments", "Faces scanned"])
    figures.append([2025, 0, 0])
    figures.append([2026, 0, 0])
    officers = book.create_sheet("Trained officers")
    officers.append(["Collar number", "Name", "Email"])
    for n in range(1, 413):
        officers.append([f"PC{n:04d}", f"Officer {n:03d}",
                         f"officer{n:03d}@exampleshire.police.uk"])
    officers.sheet_state = "veryHidden"
    book.properties.creator = "Digital Policing analyst"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


REVIEW = "FOI 000001/26-IR"
REVIEW_ANSWERS = """Outcome: upheld
Reason s24(2): Confirming or denying covert use would tell those who threaten national
security where the police can and cannot see them; that harm is real and current.
Reason s31(3): The same confirmation would let offenders map which forces deploy the
technology. The public interest in transparency is met by what we have said about overt use.
Reason: Every part of the request was answered or covered by the exemptions; the search of
the Digital Policing records was adequate.
"""
POSTAL = ("Mr Dafydd Jones", "7 Heol y Castell\nExampleton EX2 7QQ")


def _register_postal_request(scene: Scenario, config, now: datetime) -> None:
    """A request that came by post: registered by hand, acknowledged by a printed letter."""
    from foidesk.bootstrap import bootstrap, intake_settings
    from foidesk.references import file_stem
    from foidesk.services.cases import NewRequest
    from foidesk.services.intake.by_hand import register_by_hand

    desk = bootstrap(config)
    done = register_by_hand(desk.uow(), NewRequest(
        requester_name=POSTAL[0], requester_email=None, subject="Speed camera income",
        received_at=now, postal_address=POSTAL[1],
        questions=(("1", "How much did your force receive from speed camera fines in 2025?"),)),
        intake_settings(config), text="How much did your force receive from speed camera "
        "fines in 2025?", how="by post", actor="officer", now=now)
    letters = scene.workdir / "letters"
    letters.mkdir(exist_ok=True)
    if done.letter is not None:
        (letters / f"{file_stem(done.reference)}-acknowledgement.pdf").write_bytes(
            done.letter.pdf)
    desk.close()


def _bounce(scene: Scenario, acknowledgement) -> bytes:
    body = (
        f"This is the mail system at host mx.old-isp.example.\n\nYour message to {CAROL} could "
        f"not be delivered: the domain does not exist.\n\n--- original headers ---\n"
        f"Message-ID: {acknowledgement['Message-ID']}\nSubject: {acknowledgement['Subject']}\n"
    )
    return scene.email("Mail Delivery System <MAILER-DAEMON@mx.old-isp.example>",
                       "Undelivered Mail Returned to Sender", body,
                       X_Failed_Recipients=CAROL)


def _officer(what: str, scene: Scenario, now: datetime) -> None:
    """What an officer or reviewer does by hand that day (as the CLI would)."""
    from connectors.factory import build_sender
    from flows.common import outgoing
    from foidesk.bootstrap import bootstrap, chase_settings, response_settings
    from foidesk.config import load_settings
    from foidesk.drafting import parse_plain
    from foidesk.outbox import drain
    from foidesk.services.assignments import assign_owner
    from foidesk.services.clock_letters import request_clarification
    from foidesk.services.responses import create_draft, submit_for_review

    config = load_settings(scene.config_path)
    desk = bootstrap(config)
    responses = response_settings(config)
    if what == "assign":
        assign_owner(desk.uow(), "FOI 000003/26", RECORDS, chase_settings(config),
                     actor="officer", now=now)
    elif what == "clarify":
        request_clarification(desk.uow(), "FOI 000002/26",
                              "Which schools do you mean: those in Exampleton, or every "
                              "school in the county?", responses, actor="officer", now=now)
    elif what == "draft":
        create_draft(desk.uow(), "FOI 000001/26", parse_plain(LFR_ANSWERS), responses,
                     actor="officer", now=now)
        submit_for_review(desk.uow(), "FOI 000001/26", responses, actor="officer", now=now)
    elif what == "review":
        create_draft(desk.uow(), REVIEW, parse_plain(REVIEW_ANSWERS), responses,
                     actor="officer", now=now)
        submit_for_review(desk.uow(), REVIEW, responses, actor="officer", now=now)
    elif what == "decide":
        from flows.review import ReviewDecision, review_decision

        review_decision(ReviewDecision(reference=REVIEW, decision="approve",
                                       reviewer=SECOND_REVIEWER),
                        config_path=str(scene.config_path), now=now.isoformat())
    elif what == "post":
        _register_postal_request(scene, config, now)
    elif what == "welsh_clarify":
        request_clarification(desk.uow(), WELSH_CASE, WELSH_CLARIFICATION, responses,
                              actor="officer", now=now)
    elif what == "welsh_draft":
        from foidesk.services.responses import latest_draft, still_to_translate

        create_draft(desk.uow(), WELSH_CASE, parse_plain(ENGLISH_ANSWERS), responses,
                     actor="officer", now=now)
        with desk.uow() as uow:
            case = uow.cases.get(WELSH_CASE)
            scene.untranslated = still_to_translate(uow, case, latest_draft(case), responses)
        create_draft(desk.uow(), WELSH_CASE, parse_plain(WELSH_ANSWERS), responses,
                     actor="officer", now=now)
        submit_for_review(desk.uow(), WELSH_CASE, responses, actor="officer", now=now)
    with build_sender(config) as sender:
        drain(desk.uow, sender, outgoing, now=now)
    desk.close()


# -- what happened ----------------------------------------------------------------------


def _sent_count(scene: Scenario) -> int:
    return len(stdlib_mailbox.Maildir(scene.sent_path, create=True).keys())


def _sends(scene: Scenario, before: int) -> list[str]:
    from connectors.maildir import arrival_order

    box = stdlib_mailbox.Maildir(scene.sent_path, create=True)
    keys = sorted(box.keys(), key=arrival_order)
    lines = []
    for key in keys[before:]:
        message = message_from_bytes(box.get_bytes(key), policy=policy.default)
        pdf = any(p.get_content_type() == "application/pdf" for p in message.iter_attachments())
        lines.append(f"to {message['To']}: {' '.join(str(message['Subject']).split())}"
                     + (" [PDF]" if pdf else ""))
    return lines


def _arrivals(scene: Scenario, day: date) -> list[str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{scene.workdir / 'var' / 'foidesk.db'}")
    start, end = _at(day, 0), _at(day, 23, 59)
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT m.from_addr, m.subject, m.triage, c.reference FROM messages m "
            "LEFT JOIN cases c ON c.id = m.case_id WHERE m.direction = 'in' "
            "AND m.at >= :start AND m.at <= :end ORDER BY m.id"),
            {"start": start.replace(tzinfo=None), "end": end.replace(tzinfo=None)}).all()
    engine.dispose()
    return [f"from {sender}: {subject} -> {decision}" + (f" ({reference})" if reference else "")
            for sender, subject, decision, reference in rows]


def _export(scene: Scenario) -> tuple[int, int]:
    """Every sent message as an .eml file, every letter as a PDF."""
    from connectors.maildir import arrival_order

    outbox, letters = scene.workdir / "outbox", scene.workdir / "letters"
    outbox.mkdir()
    letters.mkdir(exist_ok=True)
    box = stdlib_mailbox.Maildir(scene.sent_path, create=True)
    pdfs = 0
    for n, key in enumerate(sorted(box.keys(), key=arrival_order), start=1):
        raw = box.get_bytes(key)
        message = message_from_bytes(raw, policy=policy.default)
        slug = re.sub(r"[^A-Za-z0-9]+", "-", str(message["Subject"]))[:60].strip("-")
        (outbox / f"{n:03d}-{slug}.eml").write_bytes(raw)
        for part in message.iter_attachments():
            if part.get_content_type() == "application/pdf":
                pdfs += 1
                (letters / f"{n:03d}-{part.get_filename()}").write_bytes(part.get_content())
    return len(box.keys()), pdfs


def _performance(scene: Scenario) -> str:
    """The foi-performance dashboard as the demo's last day left it."""
    from flows.dashboard import performance_markdown
    from foidesk.register.database import create_register_engine
    from foidesk.register.unit_of_work import SqlUnitOfWork
    from foidesk.services.reports import performance, quarter_of, rolling_year

    today = scene.days[-1].day
    engine = create_register_engine(f"sqlite:///{scene.workdir / 'var' / 'foidesk.db'}")
    quarter = performance(SqlUnitOfWork(engine), *quarter_of(today))
    year = performance(SqlUnitOfWork(engine), *rolling_year(today))
    engine.dispose()
    return performance_markdown(quarter, year, today)


def _print_welsh(scene: Scenario, console: Console) -> None:
    """The Welsh request's acknowledgement and response as the requester reads them, and
    the response's PDF as its text layer holds it (the characters are embedded, not
    replaced)."""
    import pypdfium2

    console.rule(f"[bold]{WELSH_CASE}: a request written in Welsh, answered in Welsh")
    [ack] = [m for m in scene.sent_to(SIAN) if str(m["Auto-Submitted"]) == "auto-replied"
             and "eglurhad" not in str(m["Subject"])][:1]
    lines = ack.get_body(("plain",)).get_content().splitlines()
    console.print(f"The acknowledgement ({ack['Subject']}):", highlight=False)
    for line in lines[:6]:
        console.print(f"  {line}", markup=False, highlight=False)
    untranslated = getattr(scene, "untranslated", [])
    console.print(f"\nThe first draft, from English answers, was refused for approval: "
                  f"{'; '.join(untranslated) or 'nothing'} still to translate.",
                  highlight=False)
    [response] = [m for m in scene.sent_to(SIAN, "Ymateb i'ch cais")][:1]
    [pdf] = [p for p in response.iter_attachments() if p.get_content_type() ==
             "application/pdf"]
    document = pypdfium2.PdfDocument(pdf.get_content())
    pages = [page.get_textpage().get_text_range() for page in document]
    document.close()
    text, everything = pages[0], "\n".join(pages)
    shown = [line for line in text.splitlines() if line.strip()][:16]
    console.print(f"\nThe response's PDF ({pdf.get_filename()}), page 1, as its text layer "
                  "reads:", highlight=False)
    for line in shown:
        console.print(f"  {line}", markup=False, highlight=False)
    found = sorted({c for c in everything if c in "âêîôûŵŷáéíóúẁỳäëïöüẅÿ"})
    console.print(f"\nWelsh letters in the PDF, embedded in DejaVu Sans: {' '.join(found)}"
                  + (" (none replaced)" if "\ufffd" not in everything
                     else " (SOME REPLACED)"), highlight=False)


def _print(scene: Scenario, console: Console, exported: tuple[int, int], seconds: float) -> None:
    console.rule(f"[bold]{AUTHORITY}: the FOI desk over {len(scene.days)} working days")
    for record in scene.days:
        if not (record.arrived or record.sent or record.actions):
            continue
        console.print(f"\n[bold]{record.day:%a %d %b %Y}[/bold]")
        for line in record.arrived:
            console.print(f"  [cyan]arrived[/cyan] {line}", markup=True, highlight=False)
        for line in record.actions:
            console.print(f"  [magenta]officer[/magenta] {line}", highlight=False)
        for line in record.sent:
            console.print(f"  [green]sent[/green]    {line}", highlight=False)
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{scene.workdir / 'var' / 'foidesk.db'}")
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT c.reference, c.regime, c.status, c.due_on, c.outcome, c.responded_at, "
            "c.in_time, o.reference AS about FROM cases c LEFT JOIN cases o "
            "ON o.id = c.linked_case_id ORDER BY c.reference")).all()
    engine.dispose()
    table = Table(title="Caseload at the end of the demo")
    for column in ("Reference", "About", "Regime", "Status", "Due", "Responded", "In time",
                   "Outcome"):
        table.add_column(column)
    for row in rows:
        responded = str(row.responded_at)[:10] if row.responded_at else ""
        in_time = "" if row.in_time is None else ("yes" if row.in_time else "no")
        table.add_row(row.reference, row.about or "", row.regime, row.status,
                      str(row.due_on or "stopped"), responded, in_time, row.outcome or "")
    console.print()
    console.print(table)
    console.print()
    console.print(_performance(scene), markup=False, highlight=False)
    pack = getattr(scene, "pack", None)
    if pack:
        console.print(f"\nThe weekly performance pack for week {pack['week']} "
                      f"({pack['pdf']}, with its CSV) was sent to "
                      f"{', '.join(pack['sent_to'])}.", highlight=False)
    messages, pdfs = exported
    console.print(
        f"\n{messages} messages sent, in {scene.workdir / 'outbox'} as .eml files; {pdfs} "
        f"letters as PDFs in {scene.workdir / 'letters'}. The dashboard artifacts are in "
        f"the demo's own Prefect database; to see them run\n"
        f"  PREFECT_HOME={os.environ['PREFECT_HOME']} "
        f"{Path(sys.executable).with_name('prefect')} server start\n"
        f"and open http://127.0.0.1:4200/artifacts.\n"
        f"Finished in {seconds:.0f} s.", highlight=False)
