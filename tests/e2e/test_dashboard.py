"""What a manager sees: the dashboard artifacts, read back through the Prefect API, and the
statistics and disclosure log from the terminal."""

from __future__ import annotations

import json
from datetime import date

import pytest
from report_support import add_case
from typer.testing import CliRunner

from foidesk.cli import app
from foidesk.config import load_settings
from foidesk.register.database import create_register_engine
from foidesk.register.migrate import upgrade
from foidesk.register.unit_of_work import SqlUnitOfWork

D = date
CONFIG = """
[authority]
name = "Example Council"
foi_address = "foi@example.gov.uk"

[database]
url = "sqlite:///var/foidesk.db"
"""


@pytest.fixture
def desk_dir(tmp_path, monkeypatch):
    (tmp_path / "foidesk.toml").write_text(CONFIG)
    engine = create_register_engine(load_settings(tmp_path / "foidesk.toml").database.url)
    upgrade(engine)
    uow = SqlUnitOfWork(engine)
    with uow:
        add_case(uow, 1, received=D(2026, 7, 1), status="closed", due=D(2026, 7, 29),
                 responded=D(2026, 7, 20), in_time=True, outcome="granted",
                 response_text="Reference No: FOI 000001/26\n\n1,010 repaired.",
                 requester=("Pat Example", "pat@example.org", "1 Mill Lane, Exampleton"),
                 request_text="Dear team, I am Pat Example. How many repairs?")
        add_case(uow, 2, received=D(2026, 9, 1), status="awaiting_owner", due=D(2026, 9, 29),
                 owner=("roads@example.gov.uk", "pending", None))
        add_case(uow, 3, received=D(2026, 9, 28), status="drafting", due=D(2026, 10, 9))
        uow.commit()
    engine.dispose()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FOIDESK_CONFIG", raising=False)
    return tmp_path


def test_the_dashboard_artifacts_read_back_through_the_prefect_api(desk_dir, prefect_harness):
    from prefect.artifacts import Artifact

    from flows.dashboard import dashboard

    counts = dashboard(config_path=str(desk_dir / "foidesk.toml"), now="2026-10-05T09:00")
    assert counts == {"foi-caseload": 2, "foi-due-soon": 1, "foi-overdue": 1, "foi-owners": 1,
                      "foi-case pages": 2}

    def rows(key):
        data = Artifact.get(key).data
        return json.loads(data) if isinstance(data, str) else data

    assert rows("foi-caseload") == [
        {"Status": "waiting for the owner", "Regime": "foia", "Cases": 1},
        {"Status": "being drafted", "Regime": "foia", "Cases": 1},
    ]
    [late] = rows("foi-overdue")
    # Human headers, the case first and what it waits for before the subject (so nothing a
    # manager needs is off the right of a laptop screen), teams not addresses.
    assert list(late) == ["Case", "Team", "Waiting for", "Due", "Late by", "Subject"]
    assert (late["Case"], late["Late by"], late["Team"]) == (
        "FOI 000002/26", "4 working days", "roads")
    [soon] = rows("foi-due-soon")
    assert (soon["Case"], soon["Waiting for"], soon["Time left"]) == (
        "FOI 000003/26", "the draft response", "4 working days away")
    markdown = Artifact.get("foi-performance").data
    assert "| rolling 12 months | 1 | 1 | 100.0% | good |" in markdown
    assert "ICO bands" in markdown


def test_one_landing_page_answers_how_are_we_doing(desk_dir, prefect_harness):
    from prefect.artifacts import Artifact

    from flows.dashboard import dashboard

    state = dashboard(config_path=str(desk_dir / "foidesk.toml"), now="2026-10-05T09:00",
                      return_state=True)
    page = Artifact.get("foi-dashboard").data
    # By hand: cases 2 and 3 are open; 3 is due on 9 October (4 working days away); 2 was
    # due on 29 September (4 working days late); 1 was answered in time in July.
    assert "| | **2** | **1** (amber) | **1** (red) | no responses yet | **100.0%** (green) |" \
        in page
    assert "over 12 months 1 of 1 response was in time (good)" in page
    assert "As of Monday 5 October 2026, 09:00 (UK time)" in page
    assert page.count("](data:image/png;base64,") == 2  # the two charts
    assert ("| [FOI 000002/26](/artifacts/key/foi-case-foi-000002-26) | Request 2 | roads | "
            "29 Sep 2026 | 4 working days | information from roads |") in page
    assert "| [FOI 000003/26](/artifacts/key/foi-case-foi-000003-26) |" in page
    assert "working_days_left" not in page and "days_late" not in page
    case = Artifact.get("foi-case-foi-000002-26").data
    assert "# FOI 000002/26: Request 2" in case and "## Why this date" in case
    assert "| roads | roads@example.gov.uk | 2026-09-29 | pending |" in case
    # Closed: no page, no link. Asked of this run's artifacts alone: another test of the
    # run may have published a page under that key on the same Prefect server.
    assert "foi-case-foi-000001-26" not in page
    assert sorted(artifact.key for artifact in artifacts_of(state)) == [
        "foi-case-foi-000002-26", "foi-case-foi-000003-26", "foi-caseload", "foi-dashboard",
        "foi-due-soon", "foi-overdue", "foi-owners", "foi-performance"]


def artifacts_of(state) -> list:
    """The artifacts one flow run published."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        return client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[run_id])))


def test_stats_from_the_terminal_in_three_formats(desk_dir):
    as_json = CliRunner().invoke(app, ["stats", "--quarter", "2026Q3", "--format", "json",
                                       "--now", "2026-10-05"])
    figures = json.loads(as_json.stdout)
    assert (figures["received"], figures["answered_within_20_working_days"],
            figures["late"], figures["in_time_percent"]) == (3, 1, 1, 100.0)
    as_csv = CliRunner().invoke(app, ["stats", "--quarter", "2026Q3", "--format", "csv",
                                      "--now", "2026-10-05"])
    assert as_csv.stdout.splitlines()[:3] == ["measure,value", "quarter,2026Q3", "received,3"]
    table = CliRunner().invoke(app, ["stats", "--quarter", "2026Q3", "--now", "2026-10-05"])
    assert "FOI statistics 2026Q3" in table.stdout
    bad = CliRunner().invoke(app, ["stats", "--quarter", "Q3-2026"])
    assert bad.exit_code == 2 and "must look like 2026Q3" in bad.stderr


def test_the_disclosure_log_from_the_terminal(desk_dir):
    result = CliRunner().invoke(app, ["disclosure-log", "--out", "public"])
    assert result.stdout.strip() == "wrote 1 entry to public"
    html = (desk_dir / "public" / "index.html").read_text()
    assert "FOI 000001/26" in html and "Pat" not in html and "Mill Lane" not in html


def test_the_weekly_pack_by_hand(desk_dir):
    import csv
    import io

    from pypdf import PdfReader

    result = CliRunner().invoke(app, ["report", "--week", "2026-W40", "--out", "packs"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == ("wrote packs/foi-weekly-2026-W40.pdf and "
                                     "packs/foi-weekly-2026-W40.csv")
    reader = PdfReader(desk_dir / "packs" / "foi-weekly-2026-W40.pdf")
    text = " ".join(reader.pages[0].extract_text().split())
    # Week 40 is 28 September to 4 October 2026: case 3 arrived on its Monday; at its end
    # cases 2 and 3 are open and 2 (due 29 September) is overdue.
    assert "week 2026-W40" in text and "Open cases 2" in text and "Overdue 1" in text
    assert "Requests received this week 1" in text
    rows = list(csv.DictReader(io.StringIO(
        (desk_dir / "packs" / "foi-weekly-2026-W40.csv").read_text())))
    assert [r["reference"] for r in rows] == ["FOI 000002/26", "FOI 000003/26"]
    bad = CliRunner().invoke(app, ["report", "--week", "week 40"])
    assert bad.exit_code == 2 and "must look like 2026-W48" in bad.stderr
