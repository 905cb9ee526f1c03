"""A Prefect server and workers as separate processes, as production runs them, and the
few REST calls a test needs to watch their flow runs."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
PREFECT = str(Path(sys.executable).parent / "prefect")


def wait_until(what: str, check: Callable[[], Any], seconds: float, every: float = 0.5,
               explain: Callable[[], str] = lambda: "") -> Any:
    """Poll `check` until it returns something truthy; fail naming `what` after `seconds`,
    with what `explain` says about the state of things."""
    deadline = time.monotonic() + seconds
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds:.0f} s waiting for {what}\n"
                                 + explain())
        time.sleep(every)


@dataclass
class PrefectServer:
    """`prefect server start` on PostgreSQL, restartable on the same port."""

    env: dict[str, str]
    port: int
    log: Path
    process: subprocess.Popen | None = None

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(self.port),
                 "--no-ui"], env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        wait_until("the Prefect server's /health", self.healthy, 90)

    def healthy(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError("Prefect server exited:\n" + self.log.read_text()[-3000:])
        try:
            return httpx.get(f"{self.api}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            terminate(self.process)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def post(self, path: str, body: dict[str, Any]) -> Any:
        response = httpx.post(f"{self.api}{path}", json=body, timeout=20)
        response.raise_for_status()
        return response.json()

    def flow_runs(self, deployment_ids: list[str] | None = None) -> list[dict[str, Any]]:
        runs: list[dict[str, Any]] = []
        query: dict[str, Any] = {"flow_runs": {}}
        if deployment_ids is not None:
            query["flow_runs"]["deployment_id"] = {"any_": deployment_ids}
        while True:
            page = self.post("/flow_runs/filter", {**query, "limit": 200, "offset": len(runs)})
            runs += page
            if len(page) < 200:
                return runs

    def deployments(self) -> dict[str, str]:
        """`flow/deployment` -> deployment id."""
        flows = {f["id"]: f["name"] for f in self.post("/flows/filter", {})}
        return {f"{flows[d['flow_id']]}/{d['name']}": d["id"]
                for d in self.post("/deployments/filter", {})}


@dataclass
class Worker:
    """`prefect worker start` in a process group of its own: killing the group is the
    worker's machine dying, taking the flow runs it started with it."""

    name: str
    env: dict[str, str]
    log: Path
    process: subprocess.Popen | None = None
    killed: list[int] = field(default_factory=list)

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [PREFECT, "worker", "start", "--pool", "foidesk", "--type", "process",
                 "--name", self.name, "--limit", "4"], env=self.env, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True, cwd=REPO)

    def runs_pid(self, pid: int) -> bool:
        """True when `pid` descends from this worker (its flow run's process)."""
        while self.process is not None and pid > 1:
            if pid == self.process.pid:
                return True
            pid = _parent(pid)
        return False

    def kill(self, *flow_run_pids: int) -> None:
        """SIGKILL the worker and the flow runs it started (whatever session Prefect gave
        them), as when its machine dies."""
        assert self.process is not None
        for pid in flow_run_pids:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(os.getpgid(pid), signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.killed.append(self.process.pid)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            terminate(self.process)


def terminate(process: subprocess.Popen) -> None:
    """SIGTERM the process group, SIGKILL it if it has not gone in 20 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _parent(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    return int(stat.rsplit(")", 1)[1].split()[1])


def run_prefect(env: dict[str, str], *args: str, check: bool = True) -> str:
    """One `prefect ...` command, as an operator types it."""
    done = subprocess.run([PREFECT, "--no-prompt", *args], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=180)
    if check and done.returncode != 0:
        raise AssertionError(f"prefect {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@contextmanager
def running(*things: PrefectServer | Worker) -> Iterator[None]:
    try:
        yield
    finally:
        for thing in reversed(things):
            thing.stop()


def infrastructure_pid(run: dict[str, Any]) -> int | None:
    """The process a worker started for a run: Prefect records `host:pid`."""
    value = run.get("infrastructure_pid") or ""
    tail = str(value).rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else None
