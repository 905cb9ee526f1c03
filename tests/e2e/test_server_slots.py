"""A mail server's concurrency slot through a real Prefect server: taken while intake
talks to the server, given back after, and a wait that never ends is a failure that
names the limit."""

from __future__ import annotations

from uuid import uuid4

import pytest

from flows.common import SlotWaitTimeout, server_slot
from foidesk.deployments.limits import Limit


def _limit(slots: int, taken: int) -> Limit:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate

    name = f"send-smtp-relay-{uuid4().hex[:8]}"
    with get_client(sync_client=True) as client:
        client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(
            name=name, limit=slots, active_slots=taken))
    return Limit(name, slots)


def _taken(limit: Limit) -> int:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return client.read_global_concurrency_limit_by_name(limit.name).active_slots


def test_a_slot_is_held_while_talking_to_the_server_and_given_back(prefect_harness):
    limit = _limit(slots=2, taken=0)
    with server_slot(limit):
        assert _taken(limit) == 1
    assert _taken(limit) == 0


def test_a_run_that_never_gets_a_slot_fails_naming_the_limit(prefect_harness):
    limit = _limit(slots=1, taken=1)  # what a restart with leases in memory leaves
    with pytest.raises(SlotWaitTimeout) as failure, server_slot(limit, wait_seconds=3):
        raise AssertionError("talked to the server without a slot")
    assert str(failure.value).startswith(
        f"no slot of the Prefect concurrency limit {limit.name} came free in 3 seconds: ")
    assert f"prefect gcl inspect {limit.name}" in str(failure.value)
    assert _taken(limit) == 1  # nothing taken by the run that gave up
