"""The life of a case as an explicit state machine.

Which moves are lawful is data (`TRANSITIONS`), so the whole life of a case can
be read in one place and an illegal move fails loudly, naming the case, where
it stands and what was attempted.
"""

from __future__ import annotations

from enum import StrEnum


class CaseStatus(StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    AWAITING_OWNER = "awaiting_owner"
    DRAFTING = "drafting"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    RESPONDED = "responded"
    CLOSED = "closed"
    CLARIFICATION_REQUESTED = "clarification_requested"
    FEE_PENDING = "fee_pending"
    WITHDRAWN = "withdrawn"
    # A closed case that owes a fresh response: a review overturned its decision, or a
    # Commissioner's decision notice requires one. Its first response is kept as it was.
    REOPENED = "reopened"


S = CaseStatus

# Every lawful move. Anything not listed raises IllegalTransition.
TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.RECEIVED: frozenset({S.ACKNOWLEDGED, S.CLARIFICATION_REQUESTED, S.WITHDRAWN, S.CLOSED}),
    # A Commissioner's case closes on its decision notice or on compliance, with no
    # letter of ours to approve.
    S.ACKNOWLEDGED: frozenset(
        {S.AWAITING_OWNER, S.DRAFTING, S.CLARIFICATION_REQUESTED, S.FEE_PENDING, S.WITHDRAWN,
         S.CLOSED}
    ),
    S.AWAITING_OWNER: frozenset(
        {S.DRAFTING, S.CLARIFICATION_REQUESTED, S.FEE_PENDING, S.WITHDRAWN}
    ),
    S.DRAFTING: frozenset(
        {S.IN_REVIEW, S.AWAITING_OWNER, S.CLARIFICATION_REQUESTED, S.FEE_PENDING, S.WITHDRAWN}
    ),
    # A reviewer approves, or sends the draft back with changes.
    S.IN_REVIEW: frozenset({S.APPROVED, S.DRAFTING, S.WITHDRAWN}),
    S.APPROVED: frozenset({S.RESPONDED, S.DRAFTING, S.WITHDRAWN}),
    S.RESPONDED: frozenset({S.CLOSED}),
    # A review (a case of its own) that overturns the decision re-opens the original.
    S.CLOSED: frozenset({S.REOPENED}),
    S.REOPENED: frozenset({S.AWAITING_OWNER, S.DRAFTING, S.WITHDRAWN}),
    # s1(3): the clarification restarts the clock; s1(3) with no reply: the case lapses.
    S.CLARIFICATION_REQUESTED: frozenset({S.ACKNOWLEDGED, S.AWAITING_OWNER, S.WITHDRAWN,
                                          S.CLOSED}),
    # s9(2): paid -> work resumes; unpaid after three months -> the request lapses.
    S.FEE_PENDING: frozenset({S.AWAITING_OWNER, S.DRAFTING, S.WITHDRAWN, S.CLOSED}),
    S.WITHDRAWN: frozenset(),
}

# Cases on which the authority still owes something.
OPEN_STATUSES: frozenset[CaseStatus] = frozenset(S) - {S.RESPONDED, S.CLOSED, S.WITHDRAWN}

# The statutory clock is stopped: nobody is chased, no deadline can be missed.
CLOCK_STOPPED_STATUSES: frozenset[CaseStatus] = frozenset(
    {S.CLARIFICATION_REQUESTED, S.FEE_PENDING}
)


class IllegalTransition(Exception):
    """A move the state machine does not allow."""

    def __init__(self, reference: str, current: CaseStatus, target: CaseStatus) -> None:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none: it is final"
        super().__init__(
            f"case {reference}: cannot move from '{current.value}' to '{target.value}' "
            f"(allowed from '{current.value}': {allowed})"
        )
        self.reference = reference
        self.current = current
        self.target = target


def check_transition(reference: str, current: CaseStatus | str, target: CaseStatus | str) -> None:
    """Raise IllegalTransition unless `current` -> `target` is a lawful move."""
    current, target = CaseStatus(current), CaseStatus(target)
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(reference, current, target)
