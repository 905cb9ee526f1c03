"""An SMTP sender through smtplib: implicit TLS or STARTTLS with verification, AUTH.

One connection serves a batch; a dropped connection is reopened and the message
retried once, but only if the drop came before DATA, when the server cannot yet
have accepted it. Each recipient is tried on its own (RFC 5321 s3.3): a
permanent 5xx for one does not stop the others.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from connectors.base import BatchSender, OutgoingMessage, SendResult
from connectors.errors import ConnectorError, LoginError, TransientError
from connectors.mime import ensure_message_id
from connectors.tls import client_context
from foidesk.outbox_claim import ClaimedMessage

QUEUE_ID = re.compile(r"queued as\s+(\S+)", re.IGNORECASE)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: Literal["tls", "starttls", "plain"] = "starttls"
    verify_certificate: bool = True
    username: str | None = None
    message_id_domain: str = "localhost"
    timeout: float = 60.0


class SmtpSender(BatchSender):
    """Sends our RFC 5322 messages untouched (our Message-ID, In-Reply-To and References)."""

    takes_claims = True  # MAIL and RCPT while the outbox commits its claim

    def __init__(
        self,
        settings: SmtpSettings,
        password: Callable[[], str] | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.settings = settings
        self._password = password
        self._ssl_context = ssl_context
        self._smtp: smtplib.SMTP | None = None

    def _ssl(self) -> ssl.SSLContext:
        return client_context(self.settings.verify_certificate, self._ssl_context)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        where = f"smtp: {s.host}:{s.port}"
        try:
            if s.security == "tls":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout, context=self._ssl()
                )
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            smtp.ehlo()
            if s.security == "starttls":
                smtp.starttls(context=self._ssl())
                smtp.ehlo()
        except ssl.SSLCertVerificationError as error:
            raise ConnectorError(
                f"{where}: TLS certificate not trusted: {error.verify_message}"
            ) from None
        except smtplib.SMTPNotSupportedError:
            raise ConnectorError(f"{where}: server does not offer STARTTLS") from None
        except (OSError, smtplib.SMTPException) as error:
            raise TransientError(f"{where}: cannot connect: {error}") from None
        if s.username:
            if self._password is None:
                raise ConnectorError(f"{where}: username set but no password configured")
            try:
                smtp.login(s.username, self._password())
            except smtplib.SMTPAuthenticationError as error:
                smtp.close()
                raise LoginError(
                    f"smtp: login failed for {s.username} at {s.host}:{s.port}: {_reply(error)}"
                ) from None
            except smtplib.SMTPException as error:
                smtp.close()
                raise ConnectorError(f"{where}: AUTH failed: {error}") from None
        return smtp

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            self._smtp = self._connect()
        return self._smtp

    def send(self, message: OutgoingMessage) -> SendResult:
        """Send one message; a drop before DATA reconnects and tries once more."""
        raw, message_id = ensure_message_id(message.raw, self.settings.message_id_domain)
        for attempt in (1, 2):
            smtp = self._connection()
            try:
                refused = self._envelope(smtp, message.sender, message.recipients)
            except _DroppedBeforeData as dropped:
                self._forget()
                if attempt == 2:
                    return SendResult(ok=False, error=str(dropped), transient=True)
                continue
            if isinstance(refused, SendResult):
                return refused
            return self._deliver(smtp, raw, message_id, refused)
        raise AssertionError("unreachable")

    def send_claimed(self, claimed: ClaimedMessage) -> SendResult | None:
        """MAIL and RCPT while the outbox commits its claim on the message, DATA once it
        has: the envelope delivers nothing. An envelope not all accepted, or not the
        confirmed message's, is reset and the message sent as any other, from MAIL."""
        ready = self._envelope_ahead(claimed)
        try:
            message = claimed.confirm()
        except BaseException:
            self._reset()
            raise
        if message is None or not ready or (message.sender, tuple(message.recipients)) != \
                (claimed.sender, claimed.recipients):
            if ready:
                self._reset()
            return None if message is None else self.send(message)
        raw, message_id = ensure_message_id(message.raw, self.settings.message_id_domain)
        return self._deliver(self._connection(), raw, message_id, {})

    def _envelope_ahead(self, claimed: ClaimedMessage) -> bool:
        """Whether MAIL and every RCPT were accepted. Anything else is left for `send` to
        do again: an open transaction reset, a lost or refused connection forgotten."""
        try:
            refused = self._envelope(self._connection(), claimed.sender, claimed.recipients)
        except Exception:
            self._forget()
            return False
        if refused == {}:
            return True
        if not isinstance(refused, SendResult):  # some recipients accepted: still open
            self._reset()
        return False

    def _envelope(self, smtp: smtplib.SMTP, sender: str,
                  recipients: tuple[str, ...]) -> dict[str, str] | SendResult:
        """MAIL, one RCPT per recipient (RFC 5321 s3.3): the recipients refused, or why
        nothing can be sent (the transaction then reset)."""
        try:
            code, reply = smtp.mail(sender)
            if code >= 400:
                smtp.rset()
                return SendResult(
                    ok=False, error=f"MAIL FROM refused: {code} {_text(reply)}",
                    transient=code < 500,
                )
            refused: dict[str, str] = {}
            accepted = []
            for recipient in recipients:
                code, reply = smtp.rcpt(recipient)
                if code >= 400:
                    refused[recipient] = f"{code} {_text(reply)}"
                else:
                    accepted.append(recipient)
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            raise _DroppedBeforeData(f"connection lost before DATA: {error}") from None
        if not accepted:
            smtp.rset()
            transient = all(r.startswith("4") for r in refused.values())
            return SendResult(
                ok=False, refused=refused, error="every recipient was refused",
                transient=transient,
            )
        return refused

    def _deliver(self, smtp: smtplib.SMTP, raw: bytes, message_id: str,
                 refused: dict[str, str]) -> SendResult:
        """DATA, after an accepted envelope."""
        try:
            code, reply = smtp.data(_crlf(raw))
        except smtplib.SMTPServerDisconnected as error:
            self._forget()
            # The server may have queued it and lost only its answer: sending it
            # again could make a second copy, so it is reported, not retried.
            return SendResult(
                ok=False, delivery_unknown=True,
                error=f"connection lost during DATA, delivery unknown: {error}",
            )
        if code != 250:
            return SendResult(
                ok=False, refused=refused, error=f"DATA refused: {code} {_text(reply)}",
                transient=code < 500,
            )
        queued = QUEUE_ID.search(_text(reply))
        return SendResult(
            ok=True, provider_id=queued.group(1) if queued else message_id, refused=refused
        )

    def _reset(self) -> None:
        """Drop the open transaction (RSET); a connection that cannot is forgotten."""
        if self._smtp is not None:
            try:
                self._smtp.rset()
            except (OSError, smtplib.SMTPException):
                self._forget()

    def _forget(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(OSError):
                self._smtp.close()
        self._smtp = None

    def close(self) -> None:
        """QUIT (RFC 5321 s4.1.1.10) and close."""
        if self._smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._smtp.quit()
            self._smtp = None


class _DroppedBeforeData(Exception):
    pass


def _crlf(raw: bytes) -> bytes:
    """SMTP lines end in CRLF (RFC 5321 s2.3.8); smtplib leaves bytes as they are.
    What we compose ends its lines in CRLF already, and is counted, not rewritten."""
    if raw.count(b"\n") == raw.count(b"\r\n"):
        return raw
    return re.sub(rb"\r?\n", b"\r\n", raw)


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply


def _reply(error: smtplib.SMTPResponseException) -> str:
    return f"{error.smtp_code} {_text(error.smtp_error)}"
