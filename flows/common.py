"""What every flow shares: loading the desk from config, and when to retry a task."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from connectors.base import OutgoingMessage
from connectors.errors import ConnectorError
from foidesk.clock import parse_now
from foidesk.config import Settings, find_config, load_settings
from foidesk.deployments.limits import Limit
from foidesk.outbox import recipients_of
from foidesk.register.models import OutboxItem
from foidesk.services.cases import LONDON


def load_config(config_path: str | None) -> Settings:
    """The config named by the flow parameter, $FOIDESK_CONFIG, or ./foidesk.toml."""
    path = find_config(Path(config_path) if config_path else None)
    if path is None:
        raise FileNotFoundError("no foidesk config: pass config_path or set FOIDESK_CONFIG")
    return load_settings(path)


def retry_only_transient(task, task_run, state) -> bool:
    """Retry dropped connections and throttling, never a refused login or a bad folder."""
    try:
        state.result()
    except ConnectorError as error:
        return error.transient
    except Exception:
        return True
    return False


SLOT_WAIT_SECONDS = 600  # far longer than other runs hold a mail server's slots


class SlotWaitTimeout(RuntimeError):
    """No slot of a mail server's concurrency limit came free in time."""


@contextmanager
def server_slot(limit: Limit | None, wait_seconds: float = SLOT_WAIT_SECONDS
                ) -> Iterator[None]:
    """Hold one slot of the mail server's Prefect global concurrency limit while talking
    to it (`foidesk deployments` prints the commands that create the limits). A limit
    nobody created is not enforced: a single desk need not create any. A run that waits
    `wait_seconds` fails, naming the limit, instead of looking Running for ever."""
    if limit is None:
        yield
        return
    from prefect.concurrency.sync import concurrency

    with ExitStack() as held:
        try:
            held.enter_context(concurrency(limit.name, occupy=1, strict=False,
                                           timeout_seconds=wait_seconds))
        except TimeoutError as error:
            waited = (f"{wait_seconds / 60:.0f} minutes" if wait_seconds >= 120
                      else f"{wait_seconds:.0f} seconds")
            raise SlotWaitTimeout(
                f"no slot of the Prefect concurrency limit {limit.name} came free in "
                f"{waited}: other runs hold them all, or a server restart left them taken "
                f"(`prefect gcl inspect {limit.name}` shows its active slots)") from error
        yield


def run_name(kind: str, *, with_mailbox: bool = False, with_time: bool = True):
    """A flow run's name that says what and when: `intake maildir:foi 2026-11-02 09:00`,
    `chase 2026-11-02` (London time), instead of Prefect's random adjectives."""

    def name() -> str:
        from prefect.runtime import flow_run

        params = flow_run.parameters or {}
        moment = parse_now(params.get("now")).astimezone(LONDON)
        parts = [kind]
        if with_mailbox:
            parts.append(_mailbox_name(params.get("config_path"), params.get("mailbox")))
        parts.append(f"{moment:%Y-%m-%d %H:%M}" if with_time else f"{moment:%Y-%m-%d}")
        return " ".join(parts)

    return name


def _mailbox_name(config_path: str | None, mailbox: str | None = None) -> str:
    """`maildir:foi`, `imap:foi@council.gov.uk`: the kind and the mailbox, no file path."""
    try:
        box = load_config(config_path).for_mailbox(mailbox).mailbox
    except Exception:
        return "mailbox"
    if box is None:
        return "no-mailbox"
    who = mailbox_who(box)
    return f"{box.kind}:{who}" if who else box.kind


def mailbox_who(box) -> str:
    """Whose mailbox it is: the account, or a Maildir's folder name (never its path)."""
    path = getattr(box, "path", None)
    return (getattr(box, "username", None) or getattr(box, "mailbox", None)
            or getattr(box, "primary_smtp_address", None)
            or (Path(str(path)).name if path else ""))


def outgoing(item: OutboxItem) -> OutgoingMessage:
    """An outbox row as the sender connectors take it."""
    return OutgoingMessage(item.raw, item.sender, tuple(recipients_of(item)))


__all__ = ["load_config", "mailbox_who", "outgoing", "parse_now", "retry_only_transient",
           "run_name", "server_slot"]
