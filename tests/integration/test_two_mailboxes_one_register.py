"""Two IMAP mailboxes feeding one register. Their provider ids collide (two Dovecot users'
INBOXes made in the same second share UIDVALIDITY, and both start at UID 1), so each
mailbox must move only its own messages: found by the topology test, where the second
mailbox's first poll moved its unread requests to Processed as if they were the first
mailbox's, and they were never registered."""

from __future__ import annotations

import contextlib

from imapclient import IMAPClient
from intake_support import NOW, request_email, settings
from servers import dovecot_server, smtp_server
from sqlalchemy import func, select

from connectors.base import OutgoingMessage
from connectors.imap import ImapMailbox, ImapSettings
from connectors.smtp import SmtpSender, SmtpSettings
from foidesk.outbox import recipients_of
from foidesk.register.models import Case, Message
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.intake import run_intake

USERS = {"foi": "pw one", "eir": "pw two"}


def outgoing(item):
    return OutgoingMessage(item.raw, item.sender, tuple(recipients_of(item)))


class CrashBeforeMove(Exception):
    pass


def test_each_mailbox_moves_only_its_own_messages(database_url):
    from foidesk.register.database import create_register_engine
    from foidesk.register.migrate import upgrade

    engine = create_register_engine(database_url)
    upgrade(engine)
    with dovecot_server(USERS) as dovecot, smtp_server() as smtp:
        boxes = {}
        for n, user in enumerate(USERS):
            with IMAPClient("127.0.0.1", port=dovecot.imap_port, ssl=False) as client:
                client.login(user, USERS[user])
                for k in range(2):
                    client.append("INBOX", request_email(10 * n + k,
                                                         sender=f"{user}{k}@example.org"))
            boxes[user] = ImapMailbox(
                ImapSettings(host="127.0.0.1", port=dovecot.imap_port, username=user,
                             security="plain"), password=lambda user=user: USERS[user])
        sender = SmtpSender(SmtpSettings(host=smtp.host, port=smtp.port, security="plain",
                                         message_id_domain="example.gov.uk"))

        def crash(point: str) -> None:
            if point == "before_move":
                raise CrashBeforeMove

        def uow() -> SqlUnitOfWork:
            return SqlUnitOfWork(engine)

        # The FOI mailbox registers its two, and dies before moving them...
        with contextlib.suppress(CrashBeforeMove):
            run_intake(uow, boxes["foi"], sender, settings("imap:foi"), now=NOW,
                       outgoing=outgoing, checkpoint=crash)
        # ...then the EIR mailbox polls: it must register its own two, not move them.
        report = run_intake(uow, boxes["eir"], sender, settings("imap:eir"), now=NOW,
                            outgoing=outgoing)
        assert report.counts["new_request"] == 2
        run_intake(uow, boxes["foi"], sender, settings("imap:foi"), now=NOW, outgoing=outgoing)
        with engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(Case)).scalar_one() == 4
            moved = connection.execute(select(Message.mailbox, func.count()).where(
                Message.direction == "in", Message.moved).group_by(Message.mailbox)).all()
        assert dict(moved) == {"imap:foi": 2, "imap:eir": 2}
        for user, box in boxes.items():
            with IMAPClient("127.0.0.1", port=dovecot.imap_port, ssl=False) as client:
                client.login(user, USERS[user])
                client.select_folder("INBOX")
                assert client.search() == [], user  # every message moved, in its own box
            box.close()
        sender.close()
    engine.dispose()
