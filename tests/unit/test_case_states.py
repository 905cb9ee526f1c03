"""The case state machine: lawful moves pass, anything else names the case and both states."""

from __future__ import annotations

import itertools

import pytest

from foidesk.cases import (
    CLOCK_STOPPED_STATUSES,
    OPEN_STATUSES,
    TRANSITIONS,
    CaseStatus,
    IllegalTransition,
    check_transition,
)


def test_the_ordinary_life_of_a_case_is_lawful():
    path = [
        "received", "acknowledged", "awaiting_owner", "drafting", "in_review", "approved",
        "responded", "closed",
        # an internal review (a case of its own) overturned the decision: a fresh response
        "reopened", "drafting", "in_review", "approved", "responded", "closed",
    ]
    for current, target in itertools.pairwise(path):
        check_transition("FOI 000001/26", current, target)


def test_an_illegal_move_names_the_case_the_state_and_the_attempted_move():
    with pytest.raises(IllegalTransition) as raised:
        check_transition("FOI 003787/18", CaseStatus.RECEIVED, CaseStatus.RESPONDED)
    message = str(raised.value)
    assert "FOI 003787/18" in message
    assert "'received'" in message and "'responded'" in message
    assert raised.value.current is CaseStatus.RECEIVED
    assert raised.value.target is CaseStatus.RESPONDED


def test_nothing_leaves_withdrawn():
    for target in CaseStatus:
        with pytest.raises(IllegalTransition, match="none: it is final"):
            check_transition("FOI 1", CaseStatus.WITHDRAWN, target)


def test_a_response_cannot_be_sent_without_approval():
    for status in CaseStatus:
        if status is not CaseStatus.APPROVED:
            assert CaseStatus.RESPONDED not in TRANSITIONS[status], status


def test_every_state_has_a_row_and_stopped_clocks_are_open():
    assert set(TRANSITIONS) == set(CaseStatus)
    assert CLOCK_STOPPED_STATUSES <= OPEN_STATUSES
    assert CaseStatus.CLOSED not in OPEN_STATUSES
