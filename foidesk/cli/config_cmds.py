"""`foidesk init` and `foidesk check-config`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from foidesk.cli.common import EXIT_USAGE, ConfigOption, fail, out, settings_from
from foidesk.config import EXAMPLE, find_config


def init(
    path: Annotated[Path, typer.Argument(help="Where to write the config.")] = Path(
        "foidesk.toml"
    ),
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented example config to edit.

    Example: foidesk init && foidesk check-config
    """
    if path.exists() and not force:
        fail(f"{path} exists; pass --force to overwrite it", EXIT_USAGE)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    out.print(f"wrote {path}: edit it, then run `foidesk check-config`", markup=False)


def check_config(config: ConfigOption = None) -> None:
    """Validate the config; print every problem with its key path and exit 2 if any.

    Example: foidesk check-config --config /etc/foidesk/foidesk.toml
    """
    settings = settings_from(config)
    assert settings is not None
    path = find_config(config)
    mailbox = settings.mailbox.kind if settings.mailbox else "none"
    sender = settings.sender.kind if settings.sender else "none"
    out.print(f"{path}: OK", markup=False)
    out.print(
        f"  authority: {settings.authority.name} ({settings.authority.jurisdiction}, "
        f"default regime {settings.authority.default_regime.value})",
        markup=False,
    )
    out.print(f"  register: {settings.database.url}", markup=False)
    out.print(f"  mailbox: {mailbox}; sender: {sender}", markup=False)
    out.print(
        f"  routing rules: {len(settings.routing)}; reviewers: {len(settings.reviewers)}",
        markup=False,
    )


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command("check-config")(check_config)
