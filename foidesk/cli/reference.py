"""The CLI reference (docs/cli.md), generated from each command's --help.

`python -m foidesk.cli.reference > docs/cli.md` rewrites it; a test fails when
the file and the commands disagree, so the reference cannot go stale.
"""

from __future__ import annotations

import typer
from typer.main import get_command
from typer.testing import CliRunner

WIDTH = 100


def command_names(app: typer.Typer) -> list[str]:
    group = get_command(app)
    return sorted(group.commands)  # type: ignore[attr-defined]


def render(app: typer.Typer) -> str:
    runner = CliRunner()
    parts = [
        "# foidesk command reference",
        "",
        "Generated from `--help` by `python -m foidesk.cli.reference > docs/cli.md`; "
        "a test checks it is current.",
        "",
    ]
    for name in [None, *command_names(app)]:
        args = [name, "--help"] if name else ["--help"]
        result = runner.invoke(
            app, args, terminal_width=WIDTH, env={"COLUMNS": str(WIDTH), "NO_COLOR": "1"}
        )
        text = "\n".join(line.rstrip() for line in result.output.strip("\n").splitlines())
        parts += [f"## foidesk {name}" if name else "## foidesk", "", "```text", text, "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":
    from foidesk.cli import app

    print(render(app), end="")
