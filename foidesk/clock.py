"""The injectable clock: the same code runs live, in tests and in the demo."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def parse_now(value: str | None) -> datetime:
    """`--now` as an aware UTC datetime; a time without a zone is UK time; None is now."""
    if value is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f'--now must be an ISO date or date-time such as 2026-11-26T09:00, got "{value}"'
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LONDON)
    return moment.astimezone(UTC)

