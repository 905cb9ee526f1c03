"""Real servers for the test suite, started and stopped by fixtures.

Each server either starts, or the test that needs it is skipped with the reason;
with FOIDESK_REQUIRE_SERVERS=1 (as in CI) it fails instead, so a missing server
can never pass unnoticed.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

IMAP_USERS = {"foi": "correct horse battery staple"}  # the mail users of the shared Dovecots


def unavailable(reason: str) -> None:
    """Skip, or fail when the run requires every server."""
    if os.environ.get("FOIDESK_REQUIRE_SERVERS") == "1":
        pytest.fail(f"required server unavailable: {reason}", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bin_dir() -> Path | None:
    """Where initdb and pg_ctl live: on PATH, or Debian's /usr/lib/postgresql/N/bin."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def _unprivileged_user() -> pwd.struct_passwd | None:
    """PostgreSQL refuses to run as root; as root, run it as `postgres` (or `nobody`)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root and no unprivileged user to run PostgreSQL as")


@contextmanager
def postgres_cluster() -> Iterator[str]:
    """A throwaway PostgreSQL cluster on a free loopback port; yields an admin URL."""
    with restartable_postgres() as cluster:
        yield cluster.url


def create_database(admin_url: str, prefix: str) -> str:
    """A new, empty database on the cluster behind `admin_url`; returns its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, url: str) -> None:
    """Drop the database `create_database` made, cutting any connection still open."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(
            f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


@dataclass(frozen=True)
class Postgres:
    url: str
    restart: Callable[[], None]  # `pg_ctl restart -m fast`: every connection is cut


@contextmanager
def restartable_postgres() -> Iterator[Postgres]:
    """A throwaway PostgreSQL cluster that a test can restart under the code."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        unavailable("PostgreSQL binaries (initdb, pg_ctl) not found")
    assert bin_dir is not None
    user = _unprivileged_user()
    base = Path(tempfile.mkdtemp(prefix="foidesk-pg-"))
    run_as: dict[str, int] = {}
    if user is not None:
        os.chown(base, user.pw_uid, user.pw_gid)
        run_as = {"user": user.pw_uid, "group": user.pw_gid}
    data, log = base / "data", base / "server.log"
    port = free_port()
    env = {**os.environ, "LC_ALL": "C"}
    try:
        subprocess.run(
            [bin_dir / "initdb", "-D", data, "-U", "foidesk", "--auth=trust", "-E", "UTF8",
             "--no-sync"],
            check=True, capture_output=True, env=env, **run_as,
        )
        options = (
            f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
        )
        subprocess.run(
            [bin_dir / "pg_ctl", "-D", data, "-o", options, "-l", log, "-w", "-t", "60", "start"],
            check=True, capture_output=True, env=env, **run_as,
        )
    except subprocess.CalledProcessError as error:
        detail = (error.stderr or b"").decode(errors="replace").strip()
        if log.exists():
            detail += "\n" + log.read_text(errors="replace")[-2000:]
        shutil.rmtree(base, ignore_errors=True)
        unavailable(f"PostgreSQL did not start: {detail}")
    def restart() -> None:
        subprocess.run(
            [bin_dir / "pg_ctl", "-D", data, "-o", options, "-l", log, "-w", "-t", "60", "-m",
             "fast", "restart"], check=True, capture_output=True, env=env, **run_as,
        )

    try:
        yield Postgres(f"postgresql+psycopg://foidesk@127.0.0.1:{port}/postgres", restart)
    finally:
        subprocess.run(
            [bin_dir / "pg_ctl", "-D", data, "-m", "immediate", "stop"],
            capture_output=True, env=env, **run_as,
        )
        shutil.rmtree(base, ignore_errors=True)


DOVECOT_CONF = """\
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
info_log_path = {base}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = {ssl}
{ssl_files}
disable_plaintext_auth = no
auth_mechanisms = {mechanisms}
mail_location = maildir:~/Maildir
first_valid_uid = 1
{capability}
namespace inbox {{
  inbox = yes
{separator}}}
{oauth_passdb}passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {base}/users
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""


@dataclass(frozen=True)
class Dovecot:
    """A running Dovecot: where it listens and who may log in; `stop` and `start` take
    it down and bring it back on the same ports with the same mail."""

    host: str
    imap_port: int
    imaps_port: int | None
    users: dict[str, str]
    ca_pem: Path | None
    base: Path
    stop: Callable[[], None] = lambda: None
    start: Callable[[], None] = lambda: None


def _wait_for_port(port: int, process: subprocess.Popen, log: Path, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    text = log.read_text(errors="replace")[-3000:] if log.exists() else ""
    process.kill()
    unavailable(f"Dovecot did not listen on {port}: {text}")


@contextmanager
def dovecot_server(
    users: dict[str, str], *, tls: bool = False, without_move: bool = False,
    oauth_introspection_url: str | None = None, separator: str | None = "/",
) -> Iterator[Dovecot]:
    """Dovecot from Debian's dovecot-imapd, configured in a fresh 0755 directory.

    Mail belongs to `nobody` (Dovecot refuses uid 0); TLS uses a certificate for
    IP 127.0.0.1 signed by a throwaway CA (trustme). `without_move` advertises no
    MOVE capability, to exercise the COPY + EXPUNGE fallback. With
    `oauth_introspection_url`, XOAUTH2 logins are checked by POSTing the token there
    (RFC 7662 token introspection), as Dovecot does against a real identity provider.
    `separator=None` leaves the namespace as a stock install has it: Maildir++'s ".".
    """
    binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
    if not Path(binary).exists():
        unavailable("Dovecot not installed (Debian package dovecot-imapd)")
    base = Path(tempfile.mkdtemp(prefix="foidesk-dovecot-"))
    base.chmod(0o755)
    nobody = pwd.getpwnam("nobody")
    for sub in ("run", "state", "home"):
        (base / sub).mkdir(mode=0o755)
    lines = []
    for name, password in users.items():
        home = base / "home" / name
        home.mkdir(mode=0o700)
        uid, gid = os.getuid(), os.getgid()
        if uid == 0:
            uid, gid = nobody.pw_uid, nobody.pw_gid
            os.chown(home, uid, gid)
        lines.append(f"{name}:{{PLAIN}}{password}:{uid}:{gid}::{home}::")
    (base / "users").write_text("\n".join(lines) + "\n")
    ca_pem = None
    ssl_files = ""
    if tls:
        import trustme

        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        cert.private_key_and_cert_chain_pem.write_to_path(str(base / "server.pem"))
        ca.cert_pem.write_to_path(str(base / "ca.pem"))
        ca_pem = base / "ca.pem"
        ssl_files = f"ssl_cert = <{base}/server.pem\nssl_key = <{base}/server.pem"
    capability = ""
    if without_move:
        capability = (
            "imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE "
            "LITERAL+ UIDPLUS NAMESPACE"
        )
    mechanisms, oauth_passdb = "plain login", ""
    if oauth_introspection_url:
        mechanisms = "plain login xoauth2 oauthbearer"
        (base / "oauth2.conf").write_text(
            f"introspection_mode = post\nintrospection_url = {oauth_introspection_url}\n"
            "username_attribute = username\nactive_attribute = active\nactive_value = true\n"
        )
        oauth_passdb = (
            "passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n"
            f"  args = {base}/oauth2.conf\n}}\n"
        )
    imap_port, imaps_port = free_port(), free_port()
    conf = base / "dovecot.conf"
    conf.write_text(
        DOVECOT_CONF.format(
            base=base, ssl="required" if tls else "no", ssl_files=ssl_files,
            capability=capability, imap_port=imap_port, imaps_port=imaps_port if tls else 0,
            mechanisms=mechanisms, oauth_passdb=oauth_passdb,
            separator=f"  separator = {separator}\n" if separator else "",
        )
    )
    log = base / "dovecot.log"
    running: list[subprocess.Popen] = []

    def start() -> None:
        process = subprocess.Popen(  # its own process group: stop() takes the children too
            [binary, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        running.append(process)
        _wait_for_port(imaps_port if tls else imap_port, process, log)

    def stop() -> None:
        while running:
            process = running.pop()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)  # the master and every imap process
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:  # the imap children leave a moment later
                try:
                    os.killpg(process.pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)

    try:
        start()
        yield Dovecot("127.0.0.1", imap_port, imaps_port if tls else None, users, ca_pem, base,
                      stop=stop, start=start)
    finally:
        stop()
        shutil.rmtree(base, ignore_errors=True)


class RecordingHandler:
    """An aiosmtpd handler that keeps what it receives and refuses chosen recipients."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []
        self.refuse: dict[str, str] = {}
        self.drop_after_data: set[str] = set()  # take the message, then hang up unanswered
        self.sessions = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        if self.drop_after_data & set(envelope.rcpt_tos):
            server.transport.abort()  # queued here, but the client never hears the 250
        return f"250 2.0.0 Ok: queued as Q{len(self.received):05d}"


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: RecordingHandler
    ca_pem: Path | None
    start: Callable[[], Any]
    controller: Any = None

    def restart(self) -> None:
        """Stop and start again on the same port: every open connection drops."""
        self.controller.stop()
        self.controller = self.start()


@contextmanager
def smtp_server(
    *, security: str = "plain", users: dict[str, str] | None = None
) -> Iterator[SmtpServer]:
    """aiosmtpd in this process on a free port (it cannot bind port 0 itself).

    security: "plain", "starttls" (required before AUTH) or "tls" (implicit, SMTPS).
    """
    import trustme
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    handler = RecordingHandler()
    kwargs: dict[str, object] = {}
    ca_pem = None
    if security in ("starttls", "tls"):
        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        base = Path(tempfile.mkdtemp(prefix="foidesk-smtp-"))
        ca.cert_pem.write_to_path(str(base / "ca.pem"))
        ca_pem = base / "ca.pem"
        if security == "starttls":
            kwargs.update(tls_context=context, require_starttls=True)
        else:
            kwargs.update(ssl_context=context)
    if users is not None:

        def authenticate(server, session, envelope, mechanism, auth_data):
            ok = users.get(auth_data.login.decode()) == auth_data.password.decode()
            return AuthResult(success=ok, handled=False)

        kwargs.update(
            authenticator=authenticate, auth_required=True,
            auth_require_tls=security == "starttls",  # SMTPS is TLS from the first byte
        )
    port = free_port()

    def start() -> Any:
        controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        return controller

    server = SmtpServer("127.0.0.1", port, handler, ca_pem, start, start())
    try:
        yield server
    finally:
        server.controller.stop()


@contextmanager
def token_introspection(valid: dict[str, str]) -> Iterator[str]:
    """An RFC 7662 introspection endpoint on loopback: token -> username when valid."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qs

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            token = parse_qs(self.rfile.read(length).decode()).get("token", [""])[0]
            user = valid.get(token)
            body = json.dumps({"active": True, "username": user} if user else
                              {"active": False}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/introspect"
    finally:
        server.shutdown()
        server.server_close()
