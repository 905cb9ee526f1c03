"""Keep credentials out of log records that libraries write on our behalf.

exchangelib logs every request's headers at DEBUG, Authorization included (a
Basic header is the password in base64). A filter on the loggers that do so
rewrites such records before any handler sees them.
"""

from __future__ import annotations

import logging
import re

SECRET_PATTERNS = [
    re.compile(r"('Authorization':\s*')[^']*(')", re.IGNORECASE),
    re.compile(r'("Authorization":\s*")[^"]*(")', re.IGNORECASE),
    re.compile(r"(\bBearer\s+)[A-Za-z0-9._~+/=-]+()"),
    re.compile(r"(\bBasic\s+)[A-Za-z0-9+/=]+()"),
]


class RedactingFilter(logging.Filter):
    """Replace credential-bearing text in a record's message with [redacted]."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = message
        for pattern in SECRET_PATTERNS:
            redacted = pattern.sub(r"\1[redacted]\2", redacted)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def redact_logger(name: str) -> None:
    """Attach the filter to one logger (records are filtered where they are logged)."""
    logger = logging.getLogger(name)
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
