"""Every statement intake runs is answered from an index, never by reading a whole table:
a scan makes each message cost more than the one before (a backlog of n costs n squared).
SQLite's EXPLAIN QUERY PLAN says which; its planner assumes large tables, so a small
register shows the plan a large one gets."""

from __future__ import annotations

from email.message import EmailMessage

from intake_support import FOI, maildir_desk, request_email
from sqlalchemy import event


def reply_to(message_id: str, n: int) -> bytes:
    message = EmailMessage()
    message["From"] = "Jane Requester <jane@example.org>"
    message["To"] = FOI
    message["Subject"] = "Re: your request"
    message["Message-ID"] = f"<reply-{n}@example.org>"
    message["In-Reply-To"] = message_id
    message.set_content("Thank you. One more thing: please include 2024 as well.")
    return message.as_bytes()


def test_no_statement_of_an_intake_reads_a_whole_table(tmp_path):
    with maildir_desk(f"sqlite:///{tmp_path / 'register.db'}", tmp_path) as desk:
        statements: dict[str, object] = {}

        @event.listens_for(desk.engine, "before_cursor_execute")
        def keep(conn, cursor, statement, parameters, context, executemany):
            if statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")) \
                    and not executemany:
                statements.setdefault(statement, parameters)

        desk.deliver_and_run(request_email(1))
        desk.deliver_and_run(request_email(2, body="Please tell me how many potholes were "
                                                   "reported in 2025.\n"))  # a second request
        desk.deliver_and_run(request_email(1))  # the same message again
        desk.deliver_and_run(reply_to("<request-1@example.org>", 3))  # threaded on the case
        assert len(statements) > 20
        raw = desk.engine.raw_connection()
        try:
            scans = {statement: [row[3] for row in raw.execute(
                f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
                if row[3].startswith("SCAN") and row[3] != "SCAN CONSTANT ROW"]
                for statement, parameters in statements.items()}
        finally:
            raw.close()
    found = {" ".join(s.split())[-300:]: plan for s, plan in scans.items() if plan}
    assert not found, "\n".join(f"{plan}: {s}" for s, plan in found.items())
