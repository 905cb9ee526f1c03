"""A batch's messages parsed and triaged ahead, in a second process, while this one acts
on them: triage is pure work on the message's bytes (flufl.bounce, quotequail's new
text, lingua), a fifth of what a new request costs, and a backlog keeps one core busy.

Only what triage decides without the register is taken from the second process: a
message whose triage asked the register anything (a reply that threads, a reference it
quotes), or that is large enough to have parts set apart, or that failed there, is
triaged here as before. Nothing waits for the second process: a message whose result
is not ready yet is triaged here too, so a slow start or a lost process costs only the
time it would have saved.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace

from foidesk.large_parts import LARGE_PART
from foidesk.mail import InboundMessage, parse
from foidesk.triage import Triage, TriagePolicy, classify

# A batch smaller than this is triaged here. The second process takes 0.7 s and 80 MB to
# start from the command line, 1.5 s and 130 MB in a flow run (whose main module, Prefect's
# engine, it imports again), so it pays for itself only over a backlog (a full batch: 100
# messages from Graph, 200 by default over IMAP); it then serves the run's later batches.
MIN_BATCH = 100
CHUNK = 25  # messages a result of the second process carries

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Triaged:
    """A message parsed and triaged in the second process (its bytes are the caller's)."""

    message: InboundMessage
    triage: Triage


class TriageAhead:
    """One second process for an intake run; `batch` hands it a fetched batch."""

    def __init__(self, policy: TriagePolicy, size_limit: int, *,
                 min_batch: int = MIN_BATCH) -> None:
        self.policy, self.size_limit, self.min_batch = policy, size_limit, min_batch
        self._pool: ProcessPoolExecutor | None = None
        self._broken = not _two_cores()
        self.counts = AheadCounts()

    def batch(self, raws: Sequence[bytes]) -> AheadBatch:
        """The batch's messages queued for triage in the second process, chunk by chunk."""
        if self._broken or len(raws) < self.min_batch:
            return AheadBatch(raws, [], self.counts)
        try:
            pool = self._started()
            futures = [pool.submit(triage_chunk, list(raws[start:start + CHUNK]))
                       for start in range(0, len(raws), CHUNK)]
        except Exception as error:  # a process that cannot start: triage stays here
            log.warning("triage stays in this process: %s", error)
            self._broken = True
            return AheadBatch(raws, [], self.counts)
        return AheadBatch(raws, futures, self.counts)

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                initializer=_remember, initargs=(self.policy, self.size_limit))
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            log.debug("triage ahead: %s", self.counts)
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> TriageAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class AheadCounts:
    """How many messages' triage the second process gave, and how many it could not."""

    taken: int = 0
    not_ready: int = 0  # triaged here: its chunk was not done yet, or failed
    here: int = 0  # triaged here: it needed the register, or was large


class AheadBatch:
    """What the second process made of one batch, message by message, when it is ready."""

    def __init__(self, raws: Sequence[bytes], futures: list[Future],
                 counts: AheadCounts | None = None) -> None:
        self.raws, self.futures = raws, futures
        self.counts = counts if counts is not None else AheadCounts()

    def get(self, index: int, raw: bytes) -> Triaged | None:
        """The message at `index` triaged, if that is ready and was `raw`; else None."""
        if index >= len(self.raws) or self.raws[index] is not raw:
            return None
        chunk, at = divmod(index, CHUNK)
        if chunk >= len(self.futures):
            return None
        if not self.futures[chunk].done():
            # Not begun there: taken back, so the second process starts ahead of us.
            self.futures[chunk].cancel()
            self.counts.not_ready += 1
            return None
        try:
            found = self.futures[chunk].result()[at]
        except Exception:  # cancelled, or the process died or the chunk failed there
            self.counts.not_ready += 1
            return None
        if found is None:
            self.counts.here += 1
            return None
        self.counts.taken += 1
        return Triaged(replace(found.message, raw=raw), found.triage)

    def cancel(self) -> None:
        for future in self.futures:
            future.cancel()


# -- in the second process ----------------------------------------------------------------

_policy: TriagePolicy | None = None
_size_limit = 0


def _remember(policy: TriagePolicy, size_limit: int) -> None:
    global _policy, _size_limit
    _policy, _size_limit = policy, size_limit


def triage_chunk(raws: Iterable[bytes]) -> list[Triaged | None]:
    """Each message parsed and triaged as intake would, or None where the answer needs
    the register or this process cannot give it (its bytes are not sent back)."""
    return [_triaged(raw) for raw in raws]


def _triaged(raw: bytes) -> Triaged | None:
    if _policy is None or len(raw) > LARGE_PART or len(raw) > _size_limit:
        return None
    lookup = NoRegister()
    try:
        message = parse(raw, _size_limit)
        triage = classify(message, lookup, _policy)
    except Exception:  # triaged again where it can be quarantined
        return None
    return None if lookup.asked else Triaged(replace(message, raw=b""), triage)


class NoRegister:
    """A register that knows nothing and notes being asked: a triage that asked is
    done again where the register can answer."""

    asked = False

    def _ask(self, *args: object) -> None:
        self.asked = True

    by_message_ids = by_reference = triage_notice = chase_digest = _ask


def _two_cores() -> bool:
    return len(os.sched_getaffinity(0)) >= 2 if hasattr(os, "sched_getaffinity") \
        else (os.cpu_count() or 1) >= 2
