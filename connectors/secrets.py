"""Resolve a config's SecretRef when it is needed, never before, never into a log."""

from __future__ import annotations

import os
from collections.abc import Callable

from connectors.errors import ConfigurationError
from foidesk.config.models import SecretRef


def secret_reader(ref: SecretRef, key: str) -> Callable[[], str]:
    """A function that reads the secret at call time; `key` names it in errors.

    From an environment variable, or from a Prefect Secret block (imported only
    then, so the embedded default needs no Prefect server).
    """

    def read() -> str:
        if ref.env is not None:
            value = os.environ.get(ref.env)
            if not value:
                raise ConfigurationError(
                    f"{key}: environment variable {ref.env} is not set (or is empty)"
                )
            return value
        from prefect.blocks.system import Secret

        try:
            block = Secret.load(ref.prefect_secret)
        except ValueError as error:
            raise ConfigurationError(
                f"{key}: Prefect Secret block {ref.prefect_secret!r} not found: {error}"
            ) from None
        return str(block.get())

    return read
