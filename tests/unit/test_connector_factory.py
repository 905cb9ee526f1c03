"""The configured connector is built from config; secrets are read only when needed."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from connectors.errors import ConfigurationError
from connectors.factory import build_mailbox, build_sender
from connectors.graph import GraphMailbox
from connectors.imap import ImapMailbox
from connectors.maildir import MaildirMailbox, MaildirSender
from connectors.redact import RedactingFilter
from connectors.smtp import SmtpSender
from foidesk.config import load_settings

BASE = '[authority]\nname = "Example"\nfoi_address = "foi@example.gov.uk"\n'


def settings(tmp_path: Path, text: str):
    path = tmp_path / "foidesk.toml"
    path.write_text(BASE + text)
    return load_settings(path)


def test_the_embedded_default_is_a_maildir_in_and_out(tmp_path):
    s = settings(tmp_path, '[mailbox]\nkind = "maildir"\n[sender]\nkind = "maildir"\n')
    mailbox, sender = build_mailbox(s), build_sender(s)
    assert isinstance(mailbox, MaildirMailbox) and isinstance(sender, MaildirSender)
    assert mailbox.fetch(None).messages == []
    assert (tmp_path / "var" / "mailbox" / ".FOI.Processed").is_dir()


def test_an_imap_password_is_read_from_the_environment_when_connecting(tmp_path, monkeypatch):
    s = settings(tmp_path, '[mailbox]\nkind = "imap"\nhost = "imap.example.gov.uk"\n'
                           'username = "foi"\npassword = { env = "TEST_IMAP_PASSWORD" }\n')
    mailbox = build_mailbox(s)
    assert isinstance(mailbox, ImapMailbox)
    monkeypatch.delenv("TEST_IMAP_PASSWORD", raising=False)
    with pytest.raises(ConfigurationError,
                       match=r"mailbox\.password: environment variable TEST_IMAP_PASSWORD"):
        mailbox._password()
    monkeypatch.setenv("TEST_IMAP_PASSWORD", "from-env")
    assert mailbox._password() == "from-env"


def test_imap_xoauth2_uses_an_entra_token_for_outlook(tmp_path):
    s = settings(tmp_path, '[mailbox]\nkind = "imap"\nhost = "outlook.office365.com"\n'
                           'username = "foi@example.gov.uk"\nauth = "xoauth2"\ntenant_id = "t"\n'
                           'client_id = "c"\nclient_secret = { env = "X" }\n')
    mailbox = build_mailbox(s)
    assert mailbox._oauth_token.scope == "https://outlook.office365.com/.default"


def test_graph_and_smtp_are_built_with_the_authority_domain(tmp_path):
    s = settings(tmp_path, '[mailbox]\nkind = "graph"\ntenant_id = "t"\nclient_id = "c"\n'
                           'client_secret = { env = "S" }\nmailbox = "foi@example.gov.uk"\n'
                           '[sender]\nkind = "smtp"\nhost = "smtp.example.gov.uk"\n')
    assert isinstance(build_mailbox(s), GraphMailbox)
    sender = build_sender(s)
    assert isinstance(sender, SmtpSender)
    assert sender.settings.message_id_domain == "example.gov.uk"


def test_an_smtp_username_without_password_is_a_config_error(tmp_path):
    from foidesk.config import ConfigError

    with pytest.raises(ConfigError, match="sender: username is set"):
        settings(tmp_path, '[sender]\nkind = "smtp"\nhost = "h"\nusername = "u"\n')


def test_the_redacting_filter_hides_authorization_headers():
    record = logging.LogRecord(
        "exchangelib.util", logging.DEBUG, __file__, 1,
        "Request headers: %s", ({"Authorization": "Basic dXNlcjpwYXNz", "X": "y"},), None,
    )
    RedactingFilter().filter(record)
    assert record.getMessage() == "Request headers: {'Authorization': '[redacted]', 'X': 'y'}"
    bearer = logging.LogRecord("x", logging.DEBUG, __file__, 1, "Bearer abc.def-ghi", (), None)
    RedactingFilter().filter(bearer)
    assert bearer.getMessage() == "Bearer [redacted]"
