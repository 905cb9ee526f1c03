"""One step of the desk in its own process, killed with SIGKILL at a named checkpoint.

    python crash_child.py JOB DATABASE_URL WORKDIR KILL_AT

JOB is intake, chase or respond; KILL_AT is `point:n` (die the n-th time `point` is
reached) or `none`. The mailbox and the sender are Maildirs under WORKDIR.
"""

from __future__ import annotations

import os
import signal
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "integration"), str(HERE.parents[1])]

from crash_desk import JOBS  # noqa: E402


def killer(kill_at: str):
    point, _, nth = kill_at.partition(":")
    seen: Counter[str] = Counter()

    def checkpoint(name: str) -> None:
        seen[name] += 1
        if name == point and seen[name] == int(nth or 1):
            os.kill(os.getpid(), signal.SIGKILL)

    return checkpoint


if __name__ == "__main__":
    job, url, workdir, kill_at = sys.argv[1:5]
    JOBS[job](url, Path(workdir), killer(kill_at) if kill_at != "none" else (lambda _: None))
