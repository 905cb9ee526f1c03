"""Every error a connector raises, under one base class.

Each says what the server said, never a password or token. `transient` tells a
flow whether a retry may help (a dropped connection, HTTP 429/503) or not (a
refused login, a missing folder).
"""

from __future__ import annotations


class ConnectorError(Exception):
    """A mail system did not do what was asked."""

    transient = False


class LoginError(ConnectorError):
    """The server refused the credentials; retrying will not help."""


class TransientError(ConnectorError):
    """A temporary failure (connection dropped, throttled, server busy)."""

    transient = True


class ProtocolError(ConnectorError):
    """The server answered a command with an error."""


class ConfigurationError(ConnectorError):
    """The connector cannot be built from this config (a missing secret, say)."""
