"""Two processes registering cases at once never get the same reference."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time

from foidesk.register.database import create_register_engine
from foidesk.register.migrate import upgrade

PER_PROCESS = 500

WORKER = textwrap.dedent(
    """
    import json, sys, time
    from datetime import UTC, datetime
    from pathlib import Path
    from foidesk.references import ReferenceFormat
    from foidesk.register.database import create_register_engine
    from foidesk.register.unit_of_work import SqlUnitOfWork
    from foidesk.services.cases import DeadlinePolicy, NewRequest, register_case

    url, count, go, ready = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
    engine = create_register_engine(url)
    engine.connect().close()
    ready.touch()
    while not go.exists():
        time.sleep(0.005)
    now = datetime(2026, 11, 26, 10, tzinfo=UTC)
    references = []
    for i in range(count):
        references.append(register_case(
            SqlUnitOfWork(engine),
            NewRequest("Racer", "racer@example.org", f"request {i}", now),
            reference_format=ReferenceFormat(),
            policy=DeadlinePolicy(),
            actor="worker",
            now=now,
        ))
        # Between two requests a real intake parses and triages the next message, so the
        # register is free most of the time. Without a pause, SQLite's busy handler (which
        # sleeps up to 100 ms between tries) can leave the other process waiting until this
        # one has taken all its numbers, and the two would not interleave.
        time.sleep(0.005)
    print(json.dumps(references))
    """
)


def test_two_processes_allocating_500_each_get_1000_distinct_references(database_url, tmp_path):
    engine = create_register_engine(database_url)
    upgrade(engine)
    engine.dispose()
    go = tmp_path / "go"
    ready = [tmp_path / f"ready-{n}" for n in range(2)]
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, database_url, str(PER_PROCESS), str(go), str(flag)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for flag in ready
    ]
    deadline = time.monotonic() + 120
    while not all(flag.exists() for flag in ready):  # both imported, connected and waiting
        assert time.monotonic() < deadline, "the workers never got ready"
        time.sleep(0.01)
    go.touch()
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
        results.append(json.loads(out))
    everything = results[0] + results[1]
    assert [len(r) for r in results] == [PER_PROCESS, PER_PROCESS]
    assert len(set(everything)) == 2 * PER_PROCESS
    expected = {f"FOI {n:06d}/26" for n in range(1, 2 * PER_PROCESS + 1)}
    assert set(everything) == expected  # no gaps either: every number used once
    for result in results:
        assert result == sorted(result)  # each process sees the sequence move forward
    # The two really ran at once: their numbers interleave rather than form two blocks.
    assert min(results[0]) < max(results[1]) and min(results[1]) < max(results[0])

