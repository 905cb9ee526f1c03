"""Config: the example validates; every broken key is named with what is wrong."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from foidesk.config import EXAMPLE, ConfigError, load_settings

MINIMAL = '[authority]\nname = "Example Council"\nfoi_address = "foi@example.gov.uk"\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "foidesk.toml"
    path.write_text(text)
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        load_settings(write(tmp_path, text))
    return raised.value.problems


def test_the_example_config_is_valid_and_relative_paths_follow_the_file(tmp_path):
    copy = write(tmp_path, EXAMPLE.read_text())
    settings = load_settings(copy)
    assert settings.authority.name == "Example Constabulary"
    assert settings.database.url == f"sqlite:///{tmp_path / 'var' / 'foidesk.db'}"
    assert settings.mailbox.path == str(tmp_path / "var" / "mailbox")


def test_a_minimal_config_has_working_defaults(tmp_path):
    settings = load_settings(write(tmp_path, MINIMAL))
    reference = settings.reference.reference_format().render(3787, date(2018, 1, 1))
    assert reference == "FOI 003787/18"
    assert settings.chase.remind_before_days == 2
    assert settings.authority.default_regime.value == "foia"


def test_a_scottish_authority_defaults_to_foisa(tmp_path):
    settings = load_settings(write(tmp_path, MINIMAL + 'jurisdiction = "scotland"\n'))
    assert settings.authority.default_regime.value == "foisa"


def test_a_bad_port_names_the_key_and_what_is_wrong(tmp_path):
    text = MINIMAL + (
        '[mailbox]\nkind = "imap"\nhost = "imap.example.gov.uk"\nport = "abc"\n'
        'username = "foi"\npassword = { env = "P" }\n'
    )
    assert problems(tmp_path, text) == [
        'mailbox.port: must be an integer between 1 and 65535, got "abc"'
    ]


def test_every_error_is_reported_at_once_with_its_key_path(tmp_path):
    text = (
        '[authority]\nnme = "X"\nfoi_address = "nobody"\njurisdiction = "wales"\n'
        '[sender]\nkind = "pigeon"\n'
        '[[routing]]\nname = "r"\npattern = "(("\nowner = "a@example.gov.uk"\n'
        '[chase]\nrepeat_every_days = 0\n'
    )
    found = problems(tmp_path, text)
    keys = [line.split(":", 1)[0] for line in found]
    assert keys == [
        "authority.name",
        "authority.foi_address",
        "authority.jurisdiction",
        "authority.nme",
        "sender.kind",
        "routing[0].pattern",
        "chase.repeat_every_days",
    ]
    assert "authority.nme: is not a known setting (did you mean name?)" in found
    assert "sender.kind: must be one of 'smtp', 'graph', 'ews', 'maildir', got \"pigeon\"" in found
    assert "chase.repeat_every_days: must be an integer between 1 and 20, got 0" in found


def test_a_secret_written_into_the_file_is_refused(tmp_path):
    text = MINIMAL + '[sender]\nkind = "smtp"\nhost = "smtp.example.gov.uk"\npassword = "hunter2"\n'
    [problem] = problems(tmp_path, text)
    assert problem.startswith("sender.password: secrets never go in the config file")
    assert "hunter2" not in problem


def test_a_secret_reference_needs_exactly_one_source(tmp_path):
    text = MINIMAL + (
        '[sender]\nkind = "smtp"\nhost = "h"\npassword = { env = "A", prefect_secret = "b" }\n'
    )
    assert problems(tmp_path, text) == [
        "sender.password: give exactly one of env or prefect_secret"
    ]


def test_invalid_toml_says_where(tmp_path):
    [problem] = problems(tmp_path, "[authority\nname = 1\n")
    assert problem.startswith("is not valid TOML") and "line 1" in problem


def test_a_missing_file_says_how_to_make_one(tmp_path):
    with pytest.raises(ConfigError, match="foidesk init"):
        load_settings(tmp_path / "absent.toml")


def test_a_reference_format_without_year_cannot_restart_each_year(tmp_path):
    found = problems(tmp_path, MINIMAL + '[reference]\nformat = "FOI {seq:06d}"\n')
    assert found == [
        'reference: sequence = "per-year": format restarts numbering each year, '
        "so it must contain {yy} or {yyyy}"
    ]


def test_holiday_overrides_come_from_config(tmp_path):
    text = MINIMAL + (
        "[calendar]\nadd_holidays = [{ date = 2026-06-01, name = \"Proclaimed\" }]\n"
        "remove_holidays = [2026-12-28]\n"
    )
    overrides = load_settings(write(tmp_path, text)).calendar.overrides()
    assert overrides.add == {date(2026, 6, 1): "Proclaimed"}
    assert date(2026, 12, 28) in overrides.remove


def test_a_welsh_desk_answers_in_english_and_welsh(tmp_path):
    settings = load_settings(write(tmp_path, MINIMAL + 'languages = ["en", "cy"]\n'
                                   'welsh_language_standards = true\nwelsh_first = true\n'
                                   'welsh_name = "Cyngor Enghraifft"\n'))
    authority = settings.authority
    assert authority.languages == ["en", "cy"] and authority.welsh_language_standards
    assert load_settings(write(tmp_path, MINIMAL)).authority.languages == ["en"]


@pytest.mark.parametrize(("lines", "expected"), [
    ('welsh_language_standards = true\n',
     'authority: welsh_language_standards = true needs "cy" in languages'),
    ('languages = ["en", "fr"]\n',
     "authority.languages[1]: must be one of 'en' or 'cy', got \"fr\""),
    ('languages = []\n', "authority.languages: "),
    ('languages = ["cy", "cy"]\n', "authority: languages: each language once"),
])
def test_a_broken_language_setting_names_the_key(tmp_path, lines, expected):
    [problem] = problems(tmp_path, MINIMAL + lines)
    assert problem.startswith(expected), problem
