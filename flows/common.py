"""What every flow shares: loading the desk from config, and when to retry a task."""

from __future__ import annotations

from pathlib import Path

from connectors.base import OutgoingMessage
from connectors.errors import ConnectorError
from foidesk.clock import parse_now
from foidesk.config import Settings, find_config, load_settings
from foidesk.outbox import recipients_of
from foidesk.register.models import OutboxItem


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


def outgoing(item: OutboxItem) -> OutgoingMessage:
    """An outbox row as the sender connectors take it."""
    return OutgoingMessage(item.raw, item.sender, tuple(recipients_of(item)))


__all__ = ["load_config", "outgoing", "parse_now", "retry_only_transient"]
