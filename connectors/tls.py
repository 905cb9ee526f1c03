"""TLS for client connections: verify certificates unless config says otherwise."""

from __future__ import annotations

import ssl


def client_context(verify: bool = True, override: ssl.SSLContext | None = None) -> ssl.SSLContext:
    """`override` if given (a private CA in tests or on site), else the system's trust store;
    `verify=False` only when the config asks for it explicitly."""
    if override is not None:
        return override
    context = ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context
