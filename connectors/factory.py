"""Build the configured mailbox and sender: the one place config meets connectors."""

from __future__ import annotations

from connectors.base import Mailbox, Sender
from connectors.ews import EwsMailbox, EwsSender, EwsSettings, connect_account
from connectors.graph import GraphClient, GraphMailbox, GraphSender, GraphSettings
from connectors.imap import ImapMailbox, ImapSettings
from connectors.maildir import MaildirMailbox, MaildirSender
from connectors.oauth import GRAPH_SCOPE, OUTLOOK_IMAP_SCOPE, ClientCredentialsToken
from connectors.secrets import secret_reader
from connectors.smtp import SmtpSender, SmtpSettings
from foidesk.config import Settings
from foidesk.config import models as config


def build_mailbox(settings: Settings, *, patient: bool = True) -> Mailbox:
    """The mailbox named by `[mailbox]`; nothing connects until it is first used. A
    patient mailbox reconnects with backoff; an impatient one (a command someone is
    waiting on) fails at the first refusal."""
    delays = {} if patient else {"reconnect_delays": ()}
    box = settings.mailbox
    if box is None:
        raise ValueError("no [mailbox] in the config")
    if isinstance(box, config.MaildirMailbox):
        return MaildirMailbox(box.path, box.processed_folder, box.quarantine_folder,
                              box.batch_size)
    if isinstance(box, config.ImapMailbox):
        imap = ImapSettings(
            host=box.host, port=box.port, username=box.username, security=box.security,
            verify_certificate=box.verify_certificate, folder=box.folder,
            processed_folder=box.processed_folder, quarantine_folder=box.quarantine_folder,
            batch_size=box.batch_size,
        )
        if box.auth == "xoauth2":
            assert box.tenant_id and box.client_id and box.client_secret
            token = ClientCredentialsToken(
                box.tenant_id, box.client_id,
                secret_reader(box.client_secret, "mailbox.client_secret"), OUTLOOK_IMAP_SCOPE,
            )
            return ImapMailbox(imap, oauth_token=token, **delays)
        assert box.password is not None
        return ImapMailbox(imap, password=secret_reader(box.password, "mailbox.password"),
                           **delays)
    if isinstance(box, config.GraphMailbox):
        return GraphMailbox(
            GraphSettings(mailbox=box.mailbox, folder=box.folder,
                          processed_folder=box.processed_folder,
                          quarantine_folder=box.quarantine_folder, batch_size=box.batch_size),
            _graph_client(box, "mailbox"),
        )
    ews = _ews_settings(box)
    return EwsMailbox(ews, connect_account(ews, secret_reader(box.password, "mailbox.password")))


def build_sender(settings: Settings) -> Sender:
    """The sender named by `[sender]`."""
    out = settings.sender
    if out is None:
        raise ValueError("no [sender] in the config")
    if isinstance(out, config.MaildirSender):
        return MaildirSender(out.path)
    if isinstance(out, config.SmtpSender):
        domain = settings.authority.foi_address.rsplit("@", 1)[1]
        password = secret_reader(out.password, "sender.password") if out.password else None
        return SmtpSender(
            SmtpSettings(host=out.host, port=out.port, security=out.security,
                         verify_certificate=out.verify_certificate, username=out.username,
                         message_id_domain=domain),
            password=password,
        )
    if isinstance(out, config.GraphSender):
        return GraphSender(out.mailbox, _graph_client(out, "sender"))
    ews = _ews_settings(out)
    return EwsSender(connect_account(ews, secret_reader(out.password, "sender.password")))


def _graph_client(account: config.GraphAccount, section: str) -> GraphClient:
    return GraphClient(
        ClientCredentialsToken(
            account.tenant_id, account.client_id,
            secret_reader(account.client_secret, f"{section}.client_secret"), GRAPH_SCOPE,
        )
    )


def _ews_settings(account: config.EwsAccount) -> EwsSettings:
    folders = {}
    if isinstance(account, config.EwsMailbox):
        folders = {"folder": account.folder, "processed_folder": account.processed_folder,
                   "quarantine_folder": account.quarantine_folder,
                   "batch_size": account.batch_size}
    return EwsSettings(
        primary_smtp_address=account.primary_smtp_address, username=account.username,
        server=account.server, auth=account.auth, **folders,
    )
