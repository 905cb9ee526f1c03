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
                return self._transaction(smtp, message, raw, message_id)
            except _DroppedBeforeData as dropped:
                self._forget()
                if attempt == 2:
                    return SendResult(ok=False, error=str(dropped), transient=True)
            except smtplib.SMTPServerDisconnected as error:
                self._forget()
                # The server may have queued it and lost only its answer: sending it
                # again could make a second copy, so it is reported, not retried.
                return SendResult(
                    ok=False, delivery_unknown=True,
                    error=f"connection lost during DATA, delivery unknown: {error}",
                )
        raise AssertionError("unreachable")

    def _transaction(
        self, smtp: smtplib.SMTP, message: OutgoingMessage, raw: bytes, message_id: str
    ) -> SendResult:
        """MAIL, one RCPT per recipient, DATA (RFC 5321 s3.3)."""
        try:
            code, reply = smtp.mail(message.sender)
            if code >= 400:
                smtp.rset()
                return SendResult(
                    ok=False, error=f"MAIL FROM refused: {code} {_text(reply)}",
                    transient=code < 500,
                )
            refused: dict[str, str] = {}
            accepted = []
            for recipient in message.recipients:
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
        code, reply = smtp.data(_crlf(raw))
        if code != 250:
            return SendResult(
                ok=False, refused=refused, error=f"DATA refused: {code} {_text(reply)}",
                transient=code < 500,
            )
        queued = QUEUE_ID.search(_text(reply))
        return SendResult(
            ok=True, provider_id=queued.group(1) if queued else message_id, refused=refused
        )

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
