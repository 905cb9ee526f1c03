"""A mail server that refuses us ends `foidesk run` in one `foidesk:` line and exit 1, as a
person at the terminal would want; `--debug` shows the traceback as well."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from servers import IMAP_USERS, free_port

FOIDESK = Path(sys.executable).parent / "foidesk"


def _config(tmp_path: Path, host: str, port: int) -> Path:
    path = tmp_path / "foidesk.toml"
    path.write_text(f"""
[authority]
name = "Example Council"
foi_address = "foi@example.gov.uk"

[database]
url = "sqlite:///{tmp_path}/register.db"

[mailbox]
kind = "imap"
host = "{host}"
port = {port}
username = "foi"
security = "plain"
password = {{ env = "FOIDESK_TEST_IMAP_PASSWORD" }}

[sender]
kind = "maildir"
path = "{tmp_path}/out"
""")
    return path


def _run(config: Path, password: str, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "FOIDESK_TEST_IMAP_PASSWORD": password,
           "PREFECT_HOME": str(config.parent / "prefect")}
    env.pop("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", None)  # as a person's shell has it
    return subprocess.run([str(FOIDESK), "run", "intake", "--config", str(config), *extra],
                          capture_output=True, text=True, env=env, timeout=240)


@pytest.mark.parametrize(("server", "expected"), [
    ("refused-login", "foidesk: imap: login failed for foi at 127.0.0.1:{port}: "),
    ("closed-port", "foidesk: imap: cannot connect to 127.0.0.1:{port}: "),
    ("unknown-host", "foidesk: imap: cannot connect to imap.no-such-host.invalid:{port}: "),
])
def test_a_refusal_is_one_line_on_stderr_and_exit_1(request, tmp_path, server, expected):
    if server == "refused-login":
        dovecot = request.getfixturevalue("dovecot_plain")
        host, port, password = "127.0.0.1", dovecot.imap_port, "wrong password"
    elif server == "closed-port":
        host, port, password = "127.0.0.1", free_port(), IMAP_USERS["foi"]
    else:
        host, port, password = "imap.no-such-host.invalid", 993, IMAP_USERS["foi"]
    result = _run(_config(tmp_path, host, port), password)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(expected.format(port=port)), lines[0]
    assert password not in result.stderr  # the server's words, never the secret


def test_debug_shows_the_traceback(tmp_path):
    result = _run(_config(tmp_path, "127.0.0.1", free_port()), "x", "--debug")
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr
