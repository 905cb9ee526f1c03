"""Shared pieces for intake tests: settings for a test authority and message builders."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.message import EmailMessage

from foidesk.references import ReferenceFormat
from foidesk.rendering import Renderer
from foidesk.services.cases import DeadlinePolicy
from foidesk.services.intake import AuthorityView, IntakeSettings, RoutingRule
from foidesk.triage import TriagePolicy

FOI = "foi@example.gov.uk"
TEAM = "foi.officers@example.gov.uk"
OWNER = "roads.team@example.gov.uk"
OFFICER = "amy.officer@example.gov.uk"  # a member of the FOI team


def settings(mailbox_key: str = "test", size_limit: int = 50 * 1024 * 1024,
             **extra) -> IntakeSettings:
    return IntakeSettings(
        authority=AuthorityView(name="Example Council", foi_address=FOI,
                                postal_address="Town Hall, Exampleton EX1 1AA", team_address=TEAM),
        reference_format=ReferenceFormat(),
        deadlines=DeadlinePolicy(),
        triage=TriagePolicy(internal_domains=frozenset({"example.gov.uk"}),
                            reviewers=frozenset({"reviewer@example.gov.uk"}), foi_address=FOI,
                            team_members=frozenset({TEAM, OFFICER})),
        renderer=Renderer(),
        routing=(RoutingRule(name="Roads", owner=OWNER, deputy="roads.deputy@example.gov.uk",
                             keywords=("pothole",)),),
        size_limit=size_limit,
        mailbox_key=mailbox_key,
        **extra,
    )


def request_email(
    n: int = 1,
    *,
    sender: str = "jane@example.org",
    subject: str = "Freedom of Information request: potholes",
    body: str = "Under the FOI Act please tell me:\n\n1. How many potholes were reported in 2025?\n"
                "2. How many were repaired within 28 days?\n",
    headers: dict[str, str] | None = None,
    display: str = "Jane Requester",
) -> bytes:
    message = EmailMessage()
    message["From"] = f"{display} <{sender}>"
    message["To"] = FOI
    message["Subject"] = subject
    message["Message-ID"] = f"<request-{n}@example.org>"
    message["Date"] = "Mon, 02 Nov 2026 09:15:00 +0000"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes()


@contextmanager
def server_desk(database_url: str, dovecot, folder: str) -> Iterator[tuple]:
    """The register, a Dovecot folder emptied for the test, and aiosmtpd:
    yields (engine, mailbox, admin IMAP client, smtp server, smtp sender)."""
    from imapclient import IMAPClient
    from servers import IMAP_USERS, smtp_server

    from connectors.imap import ImapMailbox, ImapSettings
    from connectors.smtp import SmtpSender, SmtpSettings
    from foidesk.register.database import create_register_engine
    from foidesk.register.migrate import upgrade

    engine = create_register_engine(database_url)
    upgrade(engine)
    admin = IMAPClient(dovecot.host, port=dovecot.imap_port, ssl=False)
    admin.login("foi", IMAP_USERS["foi"])
    for name in (folder, "FOI/Processed", "FOI/Quarantine"):
        if admin.folder_exists(name):
            admin.delete_folder(name)
    admin.create_folder(folder)
    mailbox = ImapMailbox(
        ImapSettings(host=dovecot.host, port=dovecot.imap_port, username="foi",
                     security="plain", folder=folder),
        password=lambda: IMAP_USERS["foi"],
    )
    with smtp_server() as smtp:
        sender = SmtpSender(SmtpSettings(host=smtp.host, port=smtp.port, security="plain",
                                         message_id_domain="example.gov.uk"))
        yield engine, mailbox, admin, smtp, sender
        sender.close()
    mailbox.close()
    admin.logout()
    engine.dispose()


REF = "FOI 000001/26"
NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


@contextmanager
def maildir_desk(database_url: str, tmp_path, **overrides) -> Iterator:
    """A register with a Maildir inbox and outbox: deliver a message, run intake, look."""
    import mailbox as stdlib_mailbox
    import os
    from email import message_from_bytes, policy

    from connectors.base import OutgoingMessage
    from connectors.maildir import MaildirMailbox, MaildirSender
    from foidesk.outbox import recipients_of
    from foidesk.register.database import create_register_engine
    from foidesk.register.migrate import upgrade
    from foidesk.register.unit_of_work import SqlUnitOfWork
    from foidesk.services.intake import run_intake

    engine = create_register_engine(database_url)
    upgrade(engine)
    inbox = MaildirMailbox(tmp_path / "in")
    sender = MaildirSender(tmp_path / "out")

    class Desk:
        def uow(self):
            return SqlUnitOfWork(engine)

        def deliver_and_run(self, raw: bytes, now=NOW):
            key = inbox.inbox.add(raw)
            path = tmp_path / "in" / inbox.inbox._lookup(key)
            os.utime(path, (now.timestamp(), now.timestamp()))  # the server's arrival time
            return run_intake(self.uow, inbox, sender, settings(**overrides), now=now,
                              outgoing=lambda i: OutgoingMessage(i.raw, i.sender,
                                                                 tuple(recipients_of(i))))

        def case(self, reference: str = REF):
            with self.uow() as uow:
                case = uow.cases.get(reference)
                return case, [e.action for e in uow.cases.events(case)]

        def sent_to(self, address):
            box = stdlib_mailbox.Maildir(tmp_path / "out")
            found = [message_from_bytes(box.get_bytes(k), policy=policy.default)
                     for k in box.keys()]  # noqa: SIM118
            return [m for m in found if address in str(m["To"])]

    Desk.engine = engine
    try:
        yield Desk()
    finally:
        engine.dispose()


def server_config(dovecot, smtp, database: str, folder: str, *, imap_password_env: str,
                  smtp_password_env: str | None = None, routing: bool = False) -> str:
    """A foidesk.toml for the Prefect flows against Dovecot and aiosmtpd; passwords come
    from the environment as a real deployment's do."""
    smtp_auth = (f'security = "starttls"\nusername = "foi"\n'
                 f'password = {{ env = "{smtp_password_env}" }}' if smtp_password_env
                 else 'security = "plain"')
    rules = ('\n[[routing]]\nname = "Roads"\nkeywords = ["pothole"]\n'
             'owner = "roads.team@example.gov.uk"\n' if routing else "")
    return f"""
[authority]
name = "Example Council"
foi_address = "{FOI}"
team_address = "{TEAM}"
internal_domains = ["example.gov.uk"]

[database]
url = "sqlite:///{database}"

[mailbox]
kind = "imap"
host = "{dovecot.host}"
port = {dovecot.imap_port}
security = "plain"
username = "foi"
password = {{ env = "{imap_password_env}" }}
folder = "{folder}"

[sender]
kind = "smtp"
host = "{smtp.host}"
port = {smtp.port}
{smtp_auth}
{rules}"""


def register_text(engine) -> str:
    """Every row of every table as text, bytes (raw mail, PDFs, blobs) as their characters:
    what a search of the register for someone's data, or a secret, would see."""
    import warnings

    from sqlalchemy import MetaData, select

    def text(value) -> str:
        if isinstance(value, bytes | bytearray | memoryview):
            return bytes(value).decode("latin-1")
        return repr(value)

    tables = MetaData()
    with warnings.catch_warnings():  # SQLite cannot reflect ix_cases_upper_reference
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression")
        tables.reflect(engine)
    with engine.connect() as connection:
        return "\n".join(" ".join(text(value) for value in row)
                         for table in tables.sorted_tables
                         for row in connection.execute(select(table)))
