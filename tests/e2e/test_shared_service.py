"""A shared service: two authorities on one Prefect, one of them with two FOI mailboxes.
Each authority's cases, statistics and Prefect pages are its own; no page, query or event
of one names another's cases."""

from __future__ import annotations

import json
import mailbox as stdlib_mailbox

import pytest
from intake_support import request_email
from typer.testing import CliRunner

AUTHORITIES = {"norfolk": "NC {seq:06d}/{yy}", "suffolk": "SC {seq:06d}/{yy}"}


def config(key: str, extra_mailbox: bool) -> str:
    extra = ('\n[mailboxes.environment]\nkind = "maildir"\npath = "var/environment"\n'
             if extra_mailbox else "")
    return f"""
[authority]
name = "{key.title()} Constabulary"
key = "{key}"
foi_address = "foi@{key}.police.uk"
internal_domains = ["{key}.police.uk"]

[reference]
format = "{AUTHORITIES[key]}"

[database]
url = "sqlite:///var/foidesk.db"

[mailbox]
kind = "maildir"
path = "var/mailbox"
{extra}
[sender]
kind = "maildir"
path = "var/outbox"
"""


@pytest.fixture
def desks(tmp_path, prefect_harness):
    made = {}
    for key in AUTHORITIES:
        home = tmp_path / key
        (home / "var").mkdir(parents=True)
        (home / "foidesk.toml").write_text(config(key, extra_mailbox=key == "norfolk"))
        made[key] = home
    norfolk = stdlib_mailbox.Maildir(made["norfolk"] / "var" / "mailbox", create=True)
    environment = stdlib_mailbox.Maildir(made["norfolk"] / "var" / "environment", create=True)
    suffolk = stdlib_mailbox.Maildir(made["suffolk"] / "var" / "mailbox", create=True)
    norfolk.add(request_email(1, sender="ann@example.org"))
    norfolk.add(request_email(2, sender="bob@example.org"))
    environment.add(request_email(3, sender="cat@example.org",
                                  subject="EIR request: air quality"))
    suffolk.add(request_email(4, sender="dan@example.org"))
    return made


def _cli(*args: str):
    from foidesk.cli import app

    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_each_authority_keeps_its_own_cases_statistics_and_pages(desks):
    from prefect.artifacts import Artifact

    from flows.intake import intake

    norfolk, suffolk = (str(desks[k] / "foidesk.toml") for k in ("norfolk", "suffolk"))
    now = "2026-11-02T10:00"
    assert intake(config_path=norfolk, now=now)["new_request"] == 2
    assert intake(config_path=norfolk, now=now, mailbox="environment")["new_request"] == 1
    assert intake(config_path=suffolk, now=now)["new_request"] == 1
    # A second poll of each finds nothing: each mailbox has a cursor of its own.
    assert not intake(config_path=norfolk, now=now, mailbox="environment").get("new_request")

    cases = {key: json.loads(_cli("cases", "--json", "-c", str(home / "foidesk.toml")))["cases"]
             for key, home in desks.items()}
    assert sorted(c["reference"] for c in cases["norfolk"]) == [
        "NC 000001/26", "NC 000002/26", "NC 000003/26"]  # both mailboxes, one sequence
    assert [c["reference"] for c in cases["suffolk"]] == ["SC 000001/26"]
    received = {key: json.loads(_cli("stats", "--quarter", "2026Q4", "--format", "json",
                                     "--now", now, "-c", str(home / "foidesk.toml")))
                for key, home in desks.items()}
    assert received["norfolk"]["received"] == 3 and received["suffolk"]["received"] == 1

    for key, other in (("norfolk", "SC 0"), ("suffolk", "NC 0")):
        own, theirs = (("nc", "sc") if key == "norfolk" else ("sc", "nc"))
        dashboard = Artifact.get(f"{key}-foi-dashboard")
        assert dashboard is not None and other not in dashboard.data
        assert Artifact.get(f"{key}-foi-case-{own}-000001-26") is not None
        assert Artifact.get(f"{key}-foi-case-{theirs}-000001-26") is None
        assert "Open cases" in dashboard.data
        triage = Artifact.get(f"{key}-intake-triage")
        assert triage is not None and other not in triage.data
    page = Artifact.get("norfolk-foi-case-nc-000001-26")
    assert "(/artifacts/key/norfolk-foi-dashboard)" in page.data


def test_mailbox_names_are_checked(tmp_path):
    from foidesk.config import load_settings

    (tmp_path / "foidesk.toml").write_text(config("norfolk", extra_mailbox=True))
    settings = load_settings(tmp_path / "foidesk.toml")
    assert settings.mailbox_names() == [None, "environment"]
    assert settings.for_mailbox("environment").mailbox.path.endswith("var/environment")
    with pytest.raises(ValueError, match='no mailbox named "eir" \\(configured: environment\\)'):
        settings.for_mailbox("eir")


def test_deployments_need_a_key_for_each_authority_on_a_shared_server(tmp_path):
    from foidesk.cli import app

    for key in AUTHORITIES:
        (tmp_path / f"{key}.toml").write_text(config(key, extra_mailbox=key == "norfolk"))
    keyless = config("suffolk", extra_mailbox=False).replace('key = "suffolk"\n', "")
    (tmp_path / "keyless.toml").write_text(keyless)
    result = CliRunner().invoke(app, ["deployments", "-c", str(tmp_path / "norfolk.toml"),
                                      "-c", str(tmp_path / "keyless.toml")])
    assert result.exit_code == 2
    assert "authority.key: every config needs one" in result.output
    out = tmp_path / "prefect.yaml"
    _cli("deployments", "-c", str(tmp_path / "norfolk.toml"), "-c",
         str(tmp_path / "suffolk.toml"), "--output", str(out), "--worker-slots", "8")
    import yaml

    made = yaml.safe_load(out.read_text())["deployments"]
    intakes = {d["name"]: d for d in made if d["entrypoint"] == "flows/intake.py:intake"}
    assert set(intakes) == {"norfolk", "norfolk-environment", "suffolk"}
    assert intakes["norfolk-environment"]["parameters"]["mailbox"] == "environment"
    assert {d["work_pool"]["work_queue_name"] for d in made
            if d["entrypoint"].startswith("flows/chase.py")} == {"casework"}
    assert all(d["work_pool"]["name"] == "foidesk" for d in made)
    assert len(made) == 3 + 2 * 6  # an intake per mailbox, six more per authority
