"""Documentation that cannot go stale: each command and config key is documented."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from foidesk.cli import app
from foidesk.cli.reference import command_names, render
from foidesk.config import EXAMPLE, Settings
from foidesk.config.loading import _models_in

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def test_the_cli_reference_is_generated_from_the_current_help():
    current = (ROOT / "docs" / "cli.md").read_text()
    assert current == render(app), "run `make docs` to regenerate docs/cli.md"


def test_every_command_is_in_the_readme():
    missing = [name for name in command_names(app) if f"`foidesk {name}" not in README]
    assert missing == []


def test_every_command_help_ends_with_an_example():
    for command in app.registered_commands:
        last_line = (command.callback.__doc__ or "").strip().splitlines()[-1]
        assert last_line.strip().startswith("Example: foidesk"), command.callback.__name__


def _keys(model: type[BaseModel]) -> set[str]:
    keys = set()
    for name, field in model.model_fields.items():
        keys.add(name)
        for inner in _models_in(field.annotation):
            keys |= _keys(inner)
    return keys


def test_every_config_key_appears_in_the_example_config():
    text = EXAMPLE.read_text()
    written = set(re.findall(r"^#?\s*\[*([a-z_.]+)\]*\s*=?", text, flags=re.MULTILINE))
    written |= {part for name in written for part in name.split(".")}
    written |= set(re.findall(r"\b([a-z_]+)\s*=", text))
    assert sorted(_keys(Settings) - written) == []


def test_ci_runs_exactly_the_readme_test_command():
    readme_command = re.search(r"^(make \w+)\s+# the whole test suite", README, re.MULTILINE)
    assert readme_command is not None
    ci = (ROOT / ".ci" / "run").read_text()
    assert readme_command.group(1) in ci.splitlines()
    assert "FOIDESK_REQUIRE_SERVERS=1" in ci


def test_the_translators_list_in_docs_welsh_md_is_current():
    from foidesk.welsh_reference import current_list, render

    assert current_list() == render(), \
        "run `python -m foidesk.welsh_reference` (make docs) to regenerate docs/welsh.md"


def test_every_welsh_string_is_reviewed_or_marked_unreviewed_and_none_is_empty():
    from foidesk.rendering import Renderer

    catalogue = Renderer().catalogue("cy")
    assert catalogue.entries and all(e.translated for e in catalogue.entries.values())
    from foidesk.exemptions import LIBRARY

    for entry in LIBRARY:  # the library carries each name and standard text in Welsh
        assert catalogue.get(entry.title, "exemption"), entry.code
        for text in (entry.harm, entry.favouring, entry.against, entry.balance):
            assert not text or catalogue.get(text), f"{entry.regime} {entry.code}: {text}"
