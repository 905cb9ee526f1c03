"""Two intake runs at once on one Dovecot folder and one register: no duplicate case,
reference or acknowledgement, and every message moved once."""

from __future__ import annotations

import threading
from collections import Counter

from intake_support import NOW, request_email, server_desk, settings
from servers import IMAP_USERS

from connectors.base import OutgoingMessage
from connectors.imap import ImapMailbox, ImapSettings
from connectors.smtp import SmtpSender, SmtpSettings
from foidesk.outbox import recipients_of
from foidesk.register.models import Case
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.services.intake import run_intake

FOLDER = "Concurrent"
REQUESTS = 30


def outgoing(item):
    return OutgoingMessage(item.raw, item.sender, tuple(recipients_of(item)))


def test_two_intakes_at_once_register_and_acknowledge_each_request_once(
        database_url, dovecot_plain):
    with server_desk(database_url, dovecot_plain, FOLDER) as (engine, _, admin, smtp, _s):
        admin.multiappend(FOLDER, [request_email(n, sender=f"r{n}@example.org",
                                                 subject=f"FOI request {n}: topic {n * 31}",
                                                 body=f"Under the FOI Act please tell me "
                                                      f"about budget line {n * 7919}.")
                                   for n in range(REQUESTS)])
        errors: list[BaseException] = []

        def one_intake() -> None:
            mailbox = ImapMailbox(ImapSettings(host=dovecot_plain.host, security="plain",
                                               port=dovecot_plain.imap_port, username="foi",
                                               folder=FOLDER, batch_size=5),
                                  password=lambda: IMAP_USERS["foi"])
            sender = SmtpSender(SmtpSettings(host=smtp.host, port=smtp.port, security="plain"))
            try:
                for _ in range(2):
                    run_intake(lambda: SqlUnitOfWork(engine), mailbox, sender, settings(),
                               now=NOW, outgoing=outgoing)
            except BaseException as error:
                errors.append(error)
            finally:
                mailbox.close()
                sender.close()

        runs = [threading.Thread(target=one_intake) for _ in range(2)]
        for run in runs:
            run.start()
        for run in runs:
            run.join(timeout=300)
        assert errors == []
        with SqlUnitOfWork(engine) as uow:
            references = [c.reference for c in uow.session.query(Case)]
        acknowledged = Counter(r for _, rcpts, _ in smtp.handler.received for r in rcpts
                               if r.startswith("r"))
        admin.select_folder(FOLDER)
        left = admin.search()
        processed = admin.folder_status("FOI/Processed", ["MESSAGES"])[b"MESSAGES"]
        quarantined = (admin.folder_status("FOI/Quarantine", ["MESSAGES"])[b"MESSAGES"]
                       if admin.folder_exists("FOI/Quarantine") else 0)
    assert len(references) == REQUESTS == len(set(references))
    assert len(acknowledged) == REQUESTS and set(acknowledged.values()) == {1}
    assert left == [] and processed == REQUESTS and quarantined == 0
