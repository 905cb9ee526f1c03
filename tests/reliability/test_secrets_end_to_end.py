"""Known secrets through the whole desk: the Prefect flows read mail from Dovecot with a
password and send through aiosmtpd with AUTH over STARTTLS, then run again with wrong
passwords so every error path runs too. Then every log record (every logger, DEBUG),
every exception, every Prefect log and artifact, every register row and every sent mail
is searched for the secrets, plain and base64 (as SASL PLAIN or Basic would carry them)."""

from __future__ import annotations

import base64
import logging
import traceback

import pytest
from intake_support import register_text, request_email, server_config
from servers import IMAP_USERS, smtp_server
from sqlalchemy import create_engine

IMAP_SECRET = IMAP_USERS["foi"]
SMTP_SECRET = "Tr0ub4dor&3-smtp-secret"
FOLDER = "SecretsInbox"


def forms(secret: str, user: str = "foi") -> list[str]:
    return [secret, base64.b64encode(f"\0{user}\0{secret}".encode()).decode(),
            base64.b64encode(f"{user}:{secret}".encode()).decode(),
            base64.b64encode(secret.encode()).decode()]


def test_no_secret_in_any_log_error_prefect_record_register_row_or_sent_mail(
        dovecot_plain, prefect_harness, tmp_path, monkeypatch):
    from imapclient import IMAPClient
    from prefect.client.orchestration import get_client

    from flows.chase import chase, escalate
    from flows.dashboard import dashboard
    from flows.intake import intake

    records: list[logging.LogRecord] = []
    recorder = logging.Handler(level=1)
    recorder.emit = records.append  # type: ignore[method-assign]
    watched = [logging.getLogger(name) for name in (
        "", "imapclient", "imapclient.imaplib", "connectors", "foidesk", "flows", "prefect",
        "prefect.flow_runs", "prefect.task_runs", "mail.log", "httpx", "httpcore")]
    levels = [logger.level for logger in watched]
    for logger in watched:
        logger.setLevel(1)  # setLevel, not .level: it clears logging's isEnabledFor cache
        logger.addHandler(recorder)
    admin = IMAPClient(dovecot_plain.host, port=dovecot_plain.imap_port, ssl=False)
    admin.login("foi", IMAP_SECRET)
    if admin.folder_exists(FOLDER):
        admin.delete_folder(FOLDER)
    admin.create_folder(FOLDER)
    admin.append(FOLDER, request_email(1))
    errors: list[str] = []
    with smtp_server(security="starttls", users={"foi": SMTP_SECRET}) as smtp:
        monkeypatch.setenv("SSL_CERT_FILE", str(smtp.ca_pem))  # trust the test CA
        path = tmp_path / "foidesk.toml"
        path.write_text(server_config(
            dovecot_plain, smtp, tmp_path / "register.db", FOLDER, routing=True,
            imap_password_env="FOIDESK_TEST_IMAP_PASSWORD",
            smtp_password_env="FOIDESK_TEST_SMTP_PASSWORD"))
        monkeypatch.setenv("FOIDESK_TEST_IMAP_PASSWORD", IMAP_SECRET)
        monkeypatch.setenv("FOIDESK_TEST_SMTP_PASSWORD", SMTP_SECRET)
        counts = intake(config_path=str(path), now="2026-11-02T10:00")
        assert counts["new_request"] == 1 and counts["sent"] == 2  # the run really ran
        for flow in (chase, escalate):
            flow(config_path=str(path), now="2026-11-20T08:00")
        dashboard(config_path=str(path), now="2026-11-20T08:00")
        sent = b"\n".join(content for _, _, content in smtp.handler.received)
        # The same desk with wrong passwords: the failures must not carry them either.
        admin.append(FOLDER, request_email(2, sender="raj@example.org"))
        for variable, wrong in (("FOIDESK_TEST_SMTP_PASSWORD", SMTP_SECRET + "-wrong"),
                                ("FOIDESK_TEST_IMAP_PASSWORD", IMAP_SECRET + "-wrong")):
            monkeypatch.setenv(variable, wrong)
            try:
                intake(config_path=str(path), now="2026-11-03T10:00")
            except Exception as error:  # the flow fails: that is the point
                errors.append("".join(traceback.format_exception(error)))
    admin.logout()
    for logger, level in zip(watched, levels, strict=True):
        logger.removeHandler(recorder)
        logger.setLevel(level)
    assert errors, "the wrong passwords should have made a run fail"
    with get_client(sync_client=True) as client:
        prefect_logs = "\n".join(log.message for log in client.read_logs())
        artifacts = "\n".join(f"{a.key} {a.description} {a.data}"
                              for a in client.read_artifacts())
        runs = "\n".join(f"{r.name} {r.parameters} {r.state}" for r in client.read_flow_runs())
    engine = create_engine(f"sqlite:///{tmp_path / 'register.db'}")
    register = register_text(engine)
    engine.dispose()
    logged = "\n".join(
        f"{r.name} {r.getMessage()} {traceback.format_exception(*r.exc_info) if r.exc_info else ''}"
        for r in records)
    assert "LOGIN" in logged  # imapclient logged the login itself: the riskiest moment
    places = {"log records": logged, "exceptions": "\n".join(errors),
              "Prefect logs": prefect_logs, "Prefect artifacts": artifacts,
              "Prefect flow runs": runs, "register rows": register,
              "sent mail": sent.decode("utf-8", "replace")}
    assert all(places.values()), [k for k, v in places.items() if not v]  # each was searched
    for secret in (IMAP_SECRET, SMTP_SECRET, IMAP_SECRET + "-wrong", SMTP_SECRET + "-wrong"):
        for form in forms(secret):
            leaks = [place for place, text in places.items() if form in text]
            assert leaks == [], f"{secret!r} found in {leaks}"


pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
