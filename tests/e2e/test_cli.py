"""The `foidesk` command as an officer or a script uses it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from foidesk.cli import app

runner = CliRunner()

DEADLINE_VECTORS = [
    (["2018-10-16"], "2018-11-13"),
    (["2014-11-17"], "2014-12-16"),
    (["2014-11-26"], "2014-12-29"),
    (["2014-12-02"], "2015-01-05"),
    (["2014-12-19"], "2015-01-22"),
    (["2014-12-24"], "2015-01-27"),
    (["2015-01-05"], "2015-02-02"),
    (["2014-12-01"], "2014-12-31"),
    (["2014-12-01", "--receipt-rule", "code-2018"], "2015-01-05"),
    (["2022-09-05"], "2022-10-04"),
    (["2022-05-20"], "2022-06-21"),
    (["2023-04-24"], "2023-05-24"),
    (["2018-06-28"], "2018-07-27"),
    (["2018-06-28", "--regime", "foisa"], "2018-07-26"),
    (["2018-03-26"], "2018-04-25"),
    (["2018-03-26", "--regime", "foisa"], "2018-04-24"),
    (["2018-03-05"], "2018-04-05"),
    (["2018-03-05", "--regime", "foisa"], "2018-04-03"),
    (["2018-10-16", "--regime", "eir", "--extend", "complex"], "2018-12-12"),
    (["2018-10-01", "--fee-notice", "2018-10-15", "--fee-paid", "2018-10-24"], "2018-11-08"),
    (["2023-01-30", "--regime", "sar"], "2023-02-28"),
    (["2018-11-30", "--regime", "sar"], "2018-12-31"),
    (["2023-03-31", "--regime", "sar"], "2023-05-02"),
    (["2018-10-16", "--extend", "pit"], "2018-12-12"),
    (["2018-10-01", "--clarified", "2018-10-16"], "2018-11-13"),
]


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FOIDESK_CONFIG", raising=False)
    return tmp_path


def invoke(*args: str):
    return runner.invoke(app, list(args))


def add_holiday(workdir: Path, day: str) -> None:
    """Add a proclaimed bank holiday to the config `foidesk init` wrote."""
    config = workdir / "foidesk.toml"
    config.write_text(
        config.read_text().replace(
            "remove_holidays = []",
            f'remove_holidays = []\nadd_holidays = [{{ date = {day}, name = "Proclaimed" }}]',
        )
    )


@pytest.mark.parametrize(("args", "due"), DEADLINE_VECTORS)
def test_deadline_prints_the_due_date_on_its_first_line(workdir, args, due):
    result = invoke("deadline", *args)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == due


def test_deadline_explain_shows_why(workdir):
    result = invoke("deadline", "2018-10-16", "--explain")
    lines = result.stdout.splitlines()
    assert lines[0] == "2018-11-13"
    assert "2018-10-16 Tue  day  0: request received" in lines
    assert "2018-11-13 Tue  day 20" in lines
    assert lines[-1] == "Due: 2018-11-13 (Tuesday 13 November 2018)"


def test_deadline_uses_holidays_added_in_the_config(workdir):
    invoke("init")
    add_holiday(workdir, "2018-11-05")
    result = invoke("deadline", "2018-10-16", "--explain")
    assert result.stdout.splitlines()[0] == "2018-11-14"
    assert "2018-11-05 Mon  skipped: Proclaimed (added by config)" in result.stdout


def test_deadline_refuses_an_unlawful_extension_with_one_line(workdir):
    result = invoke("deadline", "2018-10-16", "--regime", "foisa", "--extend", "pit")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "foidesk: foisa allows no 'pit' extension (lawful here: none)"
    ]


def test_a_fee_paid_without_notice_is_a_usage_error(workdir):
    result = invoke("deadline", "2018-10-16", "--fee-paid", "2018-10-20")
    assert result.exit_code == 2
    assert "--fee-paid needs --fee-notice" in result.stderr


def test_init_then_check_config_succeeds(workdir):
    result = invoke("init")
    assert result.exit_code == 0
    assert (workdir / "foidesk.toml").exists()
    result = invoke("check-config")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("foidesk.toml: OK")


def test_init_does_not_overwrite_without_force(workdir):
    (workdir / "foidesk.toml").write_text("# mine\n")
    result = invoke("init")
    assert result.exit_code == 2
    assert "exists; pass --force" in result.stderr
    assert (workdir / "foidesk.toml").read_text() == "# mine\n"
    assert invoke("init", "--force").exit_code == 0


def test_a_broken_config_lists_every_problem_by_key_and_exits_2(workdir):
    (workdir / "broken.toml").write_text(
        '[authority]\nname = "X"\nfoi_address = "foi@example.gov.uk"\n'
        '[mailbox]\nkind = "imap"\nhost = "h"\nport = "abc"\nusername = "u"\n'
        'password = { env = "P" }\n[chase]\nremind_before_days = -1\n'
    )
    result = invoke("check-config", "--config", "broken.toml")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        'broken.toml: mailbox.port: must be an integer between 1 and 65535, got "abc"',
        "broken.toml: chase.remind_before_days: must be an integer between 0 and 60, got -1",
    ]


def test_config_is_found_through_the_environment(workdir, monkeypatch):
    invoke("init", "elsewhere/desk.toml")
    monkeypatch.setenv("FOIDESK_CONFIG", str(workdir / "elsewhere" / "desk.toml"))
    result = invoke("check-config")
    assert result.exit_code == 0
    assert "elsewhere/desk.toml: OK" in result.stdout


def test_commands_that_need_the_register_say_when_there_is_no_config(workdir):
    result = invoke("cases")
    assert result.exit_code == 2
    assert "no config found" in result.stderr


def _register_two_cases(workdir):
    invoke("init")
    first = invoke(
        "new", "--subject", "Live facial recognition", "--requester", "A Requester",
        "--email", "a@example.org", "--received", "2018-10-16T10:00",
        "--question", "Has your force used LFR?", "--now", "2018-10-16T11:00",
    )
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines()[0] == "FOI 000001/18 due 2018-11-13"
    assert "acknowledgement: emailed to a@example.org" in first.stdout
    second = invoke(
        "new", "--subject", "Air quality", "--requester", "B Requester", "--regime", "eir",
        "--received", "2018-11-01T10:00", "--now", "2018-11-01T10:00",
    )
    assert second.stdout.splitlines()[0] == "FOI 000002/18 due 2018-11-29"
    assert "letter to print and post" in second.stdout  # no email address


def test_cases_json_is_the_documented_stable_shape(workdir):
    _register_two_cases(workdir)
    result = invoke("cases", "--json", "--now", "2018-11-08T09:00")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["schema"] == "foidesk.cases/1"
    assert document["as_of"] == "2018-11-08"
    assert document["cases"][0] == {
        "reference": "FOI 000001/18",
        "regime": "foia",
        "status": "awaiting_owner",  # acknowledged and routed (Digital Policing)
        "subject": "Live facial recognition",
        "received_on": "2018-10-16",
        "due_on": "2018-11-13",
        "working_days_left": 3,
        "requester": {"name": "A Requester", "email": "a@example.org"},
        "language": "en",
    }
    assert [c["reference"] for c in document["cases"]] == ["FOI 000001/18", "FOI 000002/18"]


def test_cases_due_within_filters_by_working_days(workdir):
    _register_two_cases(workdir)
    result = invoke("cases", "--due-within", "5", "--json", "--now", "2018-11-08T09:00")
    assert [c["reference"] for c in json.loads(result.stdout)["cases"]] == ["FOI 000001/18"]
    table = invoke("cases", "--due-within", "5", "--now", "2018-11-08T09:00")
    assert "FOI 000001/18" in table.stdout and "FOI 000002/18" not in table.stdout


def test_cases_status_filter_and_its_error(workdir):
    _register_two_cases(workdir)
    result = invoke("cases", "--status", "closed", "--json")
    assert json.loads(result.stdout)["cases"] == []
    bad = invoke("cases", "--status", "lost")
    assert bad.exit_code == 2
    assert 'got "lost"' in bad.stderr


def test_case_shows_details_why_this_date_and_the_timeline(workdir):
    _register_two_cases(workdir)
    clock = invoke("clock", "FOI 000001/18", "extension_pit", "--on", "2018-11-12",
                   "--days", "10", "--note", "s31 public interest test")
    assert clock.exit_code == 0, clock.output
    assert clock.stdout.strip() == "FOI 000001/18 due 2018-11-27"
    document = json.loads(invoke("case", "foi 000001/18", "--json").stdout)
    assert document["schema"] == "foidesk.case/1"
    assert document["due_on"] == "2018-11-27"
    assert document["extension"] == "pit"
    assert document["questions"] == [
        {"number": "1", "text": "Has your force used LFR?", "answer": None}
    ]
    actions = [e["action"] for e in document["events"]]
    assert actions[:2] == ["case_registered", "registered_by_hand"]
    assert "owner_assigned" in actions and actions[-1] == "deadline_changed"
    assert document["events"][-1]["before"]["due_on"] == "2018-11-13"
    assert document["clock_events"][0]["note"] == "s31 public interest test"
    assert any("FOIA s10(3)" in line for line in document["deadline_explanation"])
    human = invoke("case", "FOI 000001/18")
    assert "Why this date:" in human.stdout and "deadline_changed" in human.stdout


def test_an_unknown_case_is_one_line_on_stderr(workdir):
    invoke("init")
    result = invoke("case", "FOI 999999/99")
    assert result.exit_code == 1
    assert result.stderr.strip() == "foidesk: no case with reference 'FOI 999999/99'"


def test_an_illegal_clock_event_names_the_case_and_state(workdir):
    _register_two_cases(workdir)
    invoke("clock", "FOI 000001/18", "clarification_requested", "--on", "2018-10-20")
    result = invoke("clock", "FOI 000001/18", "fee_notice", "--on", "2018-10-22")
    assert result.exit_code == 1
    assert (
        "case FOI 000001/18: cannot move from 'clarification_requested' to 'fee_pending'"
        in result.stderr
    )
    status = json.loads(invoke("case", "FOI 000001/18", "--json").stdout)["status"]
    assert status == "clarification_requested"


def test_recompute_deadlines_after_a_holiday_is_added(workdir):
    _register_two_cases(workdir)
    add_holiday(workdir, "2018-11-12")
    result = invoke("recompute-deadlines", "--reason", "holiday proclaimed")
    assert result.stdout.splitlines() == [
        "FOI 000001/18: 2018-11-13 -> 2018-11-14",
        "FOI 000002/18: 2018-11-29 -> 2018-12-03",  # 30 Nov: St Andrew's Day
        "2 due dates changed",
    ]


def test_the_installed_console_script_runs(workdir):
    script = shutil.which("foidesk") or str(Path(sys.executable).with_name("foidesk"))
    result = subprocess.run(
        [script, "deadline", "2018-10-16"], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines()[0] == "2018-11-13"


def test_assign_and_supplied_drive_the_owner_loop(workdir):
    _register_two_cases(workdir)
    # FOI 000002/18 came by post, matched no routing rule and waits, acknowledged, for an
    # officer to give it an owner.
    assert json.loads(invoke("case", "FOI 000002/18", "--json").stdout)["status"] == \
        "acknowledged"
    assigned = invoke("assign", "FOI 000002/18", "roads@example.police.uk", "--due",
                      "2018-11-15", "--now", "2018-11-02T09:00")
    assert assigned.exit_code == 0, assigned.output
    assert assigned.stdout.strip() == "FOI 000002/18: assigned to roads@example.police.uk, " \
                                      "due 2018-11-15"
    document = json.loads(invoke("case", "FOI 000002/18", "--json").stdout)
    assert document["status"] == "awaiting_owner"
    assert document["assignments"][0]["state"] == "pending"
    done = invoke("supplied", "FOI 000002/18", "--now", "2018-11-08T09:00")
    assert done.stdout.strip() == "FOI 000002/18: supplied by roads@example.police.uk"
    assert json.loads(invoke("case", "FOI 000002/18", "--json").stdout)["status"] == "drafting"
    again = invoke("supplied", "FOI 000002/18")
    assert again.exit_code == 2 and "no open assignment" in again.stderr


def test_deadline_counts_an_art_12a_stop_for_subject_access(workdir):
    stopped = invoke("deadline", "2026-03-02", "--regime", "sar", "--stopped",
                     "2026-03-05:2026-03-10", "--explain")
    assert stopped.exit_code == 0, stopped.output
    assert stopped.stdout.splitlines()[0] == "2026-04-08"  # 2 Apr + 6 days not counted
    assert "UK GDPR art. 12A" in stopped.stdout
    refused = invoke("deadline", "2026-03-02", "--stopped", "2026-03-05:2026-03-10")
    assert refused.exit_code == 2 and "--regime sar" in refused.stderr
