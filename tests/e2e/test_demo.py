"""The README's first command, as a newcomer runs it: `foidesk demo`, in a subprocess."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("demo") / "demo"
    script = shutil.which("foidesk") or str(Path(sys.executable).with_name("foidesk"))
    started = time.monotonic()
    home = tmp_path_factory.mktemp("home")  # a newcomer's home: must stay untouched
    env = {key: value for key, value in __import__("os").environ.items()
           if key != "PREFECT_HOME"}
    result = subprocess.run([script, "demo", "--workdir", str(workdir)], capture_output=True,
                            text=True, timeout=600, env={**env, "COLUMNS": "200",
                                                         "HOME": str(home)})
    assert not (home / ".prefect").exists(), "the demo wrote into ~/.prefect"
    assert result.returncode == 0, result.stderr[-3000:]
    messages = [message_from_bytes(p.read_bytes(), policy=policy.default)
                for p in sorted((workdir / "outbox").glob("*.eml"))]
    return workdir, result.stdout, messages, time.monotonic() - started


def subjects_to(messages, address: str) -> list[str]:
    return [" ".join(str(m["Subject"]).split()) for m in messages if address in str(m["To"])]


def test_the_demo_acknowledges_the_three_requests_and_nothing_else(demo):
    _, _, messages, _ = demo
    acks = [m for m in messages if str(m["Auto-Submitted"]) == "auto-replied"
            and "[FOI 00000" in str(m["Subject"]) and "Information needed" not in str(
                m["Subject"])]
    assert sorted({str(m["To"]) for m in acks}) == [
        "bob.green@example.net", "carol@old-isp.example", "jane.requester@example.org"]
    # No reply to the out-of-office, the bounce or the umbrella.
    recipients = {str(m["To"]) for m in messages}
    assert not any("mailer-daemon" in r.lower() or "sam@example.com" in r for r in recipients)
    assert len(subjects_to(messages, "carol@old-isp.example")) == 1


def test_the_demo_chases_and_escalates(demo):
    _, _, messages, _ = demo
    owner = subjects_to(messages, "estates.environment@exampleshire.police.uk")
    assert any(s.startswith("[FOI 000002/26] Reminder") for s in owner)
    assert any(s.startswith("[FOI 000002/26] Overdue") for s in owner)
    assert subjects_to(messages, "estates.deputy@exampleshire.police.uk")
    assert subjects_to(messages, "foi.manager@exampleshire.police.uk")
    assert subjects_to(messages, "deputy.chief.constable@exampleshire.police.uk")


def test_the_demo_sends_a_response_letter_with_exemptions_and_a_pdf(demo):
    workdir, _, messages, _ = demo
    [response] = [m for m in messages if "Response to your request" in str(m["Subject"])]
    text = response.get_body(("plain",)).get_content()
    assert "Section 24(2) - National Security" in text
    assert "Section 31(3) - Law Enforcement" in text
    assert "Partial neither confirm nor deny" in text
    assert any(p.get_content_type() == "application/pdf" for p in response.iter_attachments())
    assert any(m for m in messages if "Internal review of your request" in str(m["Subject"]))
    assert len(list((workdir / "letters").glob("*.pdf"))) >= 4


def test_the_demo_prints_a_timeline_and_a_caseload(demo):
    _, stdout, _, seconds = demo
    assert "Mon 02 Nov 2026" in stdout
    assert "arrived from bob.green@example.net: Re: [FOI 000002/26]" in stdout
    assert "-> auto_reply" in stdout and "-> bounce" in stdout and "-> unsure" in stdout
    assert "Caseload at the end of the demo" in stdout
    assert "Failed to send telemetry" not in stdout
    print(f"demo took {seconds:.0f} s")  # measured, not asserted (see bench/)


def test_the_demo_shows_the_review_as_its_own_case_and_counts_each_once(demo):
    workdir, stdout, messages, _ = demo
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{workdir / 'var' / 'foidesk.db'}")
    with engine.connect() as connection:
        rows = {r.reference: r for r in connection.execute(text(
            "SELECT c.reference, c.regime, c.status, c.outcome, c.in_time, o.reference AS about "
            "FROM cases c LEFT JOIN cases o ON o.id = c.linked_case_id"))}
    engine.dispose()
    original, review = rows["FOI 000001/26"], rows["FOI 000001/26-IR"]
    assert (original.regime, original.status, original.outcome, original.in_time) == (
        "foia", "closed", "partial-ncnd", 1)
    assert (review.regime, review.status, review.outcome, review.about) == (
        "foia-review", "closed", "upheld", "FOI 000001/26")
    # By hand: one request answered (FOI 000001/26, on day 9 of 20), in time; one review
    # answered, in time. FOI 000002/26 and the postal FOI 000004/26 are still open.
    assert "| this quarter (2026-10-01 to 2026-12-31) | 1 | 1 | 100.0% | good |" in stdout
    assert "Internal reviews in time this quarter:** 1 of 1 (100.0%)" in stdout
    [outcome] = [m for m in messages if "Internal review of your request" in str(m["Subject"])]
    assert [p.get_filename() for p in outcome.iter_attachments()] == [
        "FOI-000001-26-review-outcome.pdf"]
    assert "B. Senior" in outcome.get_body(("plain",)).get_content()
    assert (workdir / "letters" / "FOI-000004-26-acknowledgement.pdf").exists()


def test_the_demo_stops_the_hidden_sheet_and_releases_the_clean_copy(demo):
    from foidesk.release import check_file

    _, _, messages, _ = demo
    [notice] = [m for m in messages if "An owner replied on FOI 000001/26" in str(m["Subject"])]
    assert "very hidden sheet at sheet 'Trained officers'" in \
        notice.get_body(("plain",)).get_content()
    [response] = [m for m in messages if "Response to your request" in str(m["Subject"])]
    files = {p.get_filename(): p.get_content() for p in response.iter_attachments()}
    clean = files["FOI-000001-26-1-lfr-deployments.xlsx"]
    assert check_file("lfr-deployments.xlsx", clean) == []
    assert b"officer001@" not in clean
    assert "released as a clean copy" in response.get_body(("plain",)).get_content()


def test_the_demo_keeps_its_prefect_state_in_its_own_folder(demo):
    workdir, stdout, _, _ = demo
    assert (workdir / "prefect" / "prefect.db").exists()
    assert f"PREFECT_HOME={workdir / 'prefect'}" in " ".join(stdout.split())


@pytest.fixture(scope="module")
def prefect_ui(demo):
    """A real Prefect server, UI and all, on the demo's own database."""
    import os
    import urllib.request

    from servers import free_port, unavailable

    workdir = demo[0]
    port = free_port()
    prefect = Path(sys.executable).with_name("prefect")
    env = {**os.environ, "PREFECT_HOME": str(workdir / "prefect"),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_API_URL": "",
           "PREFECT_UI_API_URL": f"http://127.0.0.1:{port}/api"}
    server = subprocess.Popen([str(prefect), "server", "start", "--host", "127.0.0.1",
                               "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    unavailable("the Prefect server on the demo's database did not start")
                time.sleep(0.5)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def _browse(url: str, shot: Path) -> str:
    """The page as headless Chromium renders it: its DOM, and a screenshot kept for CI."""
    from servers import unavailable

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        unavailable("chromium is not installed (scripts/ensure-servers installs it)")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--virtual-time-budget=20000", "--window-size=1440,2600"]
    shot.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([chromium, *flags, f"--screenshot={shot}", url], capture_output=True,
                   timeout=180, check=False)
    dom = subprocess.run([chromium, *flags, "--dump-dom", url], capture_output=True,
                         text=True, timeout=180, check=True)
    return dom.stdout


def test_a_manager_sees_the_dashboard_and_a_case_page_in_the_prefect_ui(demo, prefect_ui):
    import re

    shots = Path(__file__).parents[2] / "var" / "screenshots"
    dashboard = _browse(f"{prefect_ui}/artifacts/key/foi-dashboard",
                        shots / "foi-dashboard.png")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", dashboard))
    assert "FOI dashboard" in text
    assert "Open cases" in text and "Overdue" in text
    assert "FOI 000002/26" in text  # the EIR case, overdue at the end of the demo
    assert "100.0%" in text  # in time this quarter, by hand: 1 of 1
    # By hand at the demo's end: FOI 000002/26 (EIR, due 4 December), 000003/26 (the SAR,
    # due 2 December) and the postal 000004/26 (due 7 December) are open and all overdue;
    # FOI 000001/26 was answered on day 9 and its review -IR in time.
    assert "3 0 (green) 3 (red) 100.0% (green) 100.0% (green)" in text
    assert "FOI 000003/26" in text and "FOI 000004/26" in text
    assert re.search(r'<img[^>]+src="data:image/png;base64,', dashboard), "no chart rendered"
    case = _browse(f"{prefect_ui}/artifacts/key/foi-case-foi-000002-26",
                   shots / "foi-case-foi-000002-26.png")
    case_text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", case))
    assert "FOI 000002/26" in case_text and "Why this date" in case_text
    assert (shots / "foi-dashboard.png").exists()


def test_the_demo_sends_the_weekly_pack_and_its_pdf_opens_with_its_charts(demo):
    import io

    from pypdf import PdfReader

    _, stdout, messages, _ = demo
    assert "The weekly performance pack for week 2026-W50" in " ".join(stdout.split())
    packs = [m for m in messages if "FOI weekly performance pack" in str(m["Subject"])]
    assert sorted(str(m["To"]) for m in packs) == [
        "deputy.chief.constable@exampleshire.police.uk", "foi.manager@exampleshire.police.uk"]
    pack = packs[0]
    files = {p.get_filename(): p.get_content() for p in pack.iter_attachments()}
    assert set(files) == {"foi-weekly-2026-W50.pdf", "foi-weekly-2026-W50.csv"}
    reader = PdfReader(io.BytesIO(files["foi-weekly-2026-W50.pdf"]))
    assert 1 <= len(reader.pages) <= 2
    assert sum(len(page.images) for page in reader.pages) == 2  # the two charts
    assert "Open cases" in reader.pages[0].extract_text()
    table = files["foi-weekly-2026-W50.csv"]  # a text/csv part reads back as text
    assert (table if isinstance(table, str) else table.decode()).startswith(
        "reference,kind,regime")
