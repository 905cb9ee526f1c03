"""Fixtures shared by every layer of tests."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# Prefect's console log handler binds the stream it first sees; under typer's CliRunner that
# is a buffer closed after each invocation, and later flow logs then fail. The tests read
# results, artifacts and the register, never the console, so keep that handler quiet.
os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
# The suite's Prefect state is its own, never the user's ~/.prefect (profiles, local
# results, the ephemeral server's database): one throwaway folder per run.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="foidesk-tests-prefect-")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # no network in tests
from servers import (
    IMAP_USERS,
    create_database,
    dovecot_server,
    drop_database,
    postgres_cluster,
)


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """An admin URL: $FOIDESK_TEST_DATABASE_URL, or a cluster started for this run."""
    given = os.environ.get("FOIDESK_TEST_DATABASE_URL")
    if given:
        yield given
        return
    with postgres_cluster() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh, empty database for one test, dropped afterwards."""
    url = create_database(postgres_admin_url, "foidesk_test")
    yield url
    drop_database(postgres_admin_url, url)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on the embedded SQLite register and on a real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'register.db'}"
    return request.getfixturevalue("postgres_url")



@pytest.fixture(scope="session")
def dovecot_plain():
    """One plaintext Dovecot for the whole run (the mail user is `nobody`)."""
    with dovecot_server(IMAP_USERS) as server:
        yield server


@pytest.fixture(scope="session")
def dovecot_stock():
    """Dovecot as Debian installs it: Maildir++ folders, "." between levels."""
    with dovecot_server(IMAP_USERS, separator=None) as server:
        yield server


@pytest.fixture(scope="session")
def dovecot_tls():
    """One TLS-only Dovecot whose certificate (IP 127.0.0.1) a throwaway CA signed."""
    with dovecot_server(IMAP_USERS, tls=True) as server:
        yield server


@pytest.fixture(scope="session")
def prefect_harness():
    """One throwaway Prefect server and database for every flow test of the run."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield
