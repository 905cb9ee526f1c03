"""Intake: each message from the FOI mailbox becomes a case, a note on a case, or a
quarantined message with a reason, in its fetched batch's ONE database transaction
with its outbox rows (each message in a savepoint of its own).

The steps are separate so a flow can run each as a task: `move_pending` (moves a
crash left undone), `process_batch` (one transaction per batch), then the caller
drains the outbox and moves the messages whose transaction committed. A crash at
any point loses nothing and repeats nothing: a message is found again by its
Message-ID, its outbox rows by their idempotency keys.

The package's modules: `settings` (what intake is told and reports), `cursor`
(cursor and moves), `process` (one batch, one transaction), `actions` (what each
decision does), `new_requests`, `case_mail`, `filed_mail`, `team_decisions`,
`notices`, `storage`, and `run` (a whole run).
"""

from foidesk.services.intake.cursor import (
    load_cursor,
    mark_moved,
    move_pending,
    pending_moves,
    poll_state,
    save_cursor,
)
from foidesk.services.intake.process import process_batch, process_message
from foidesk.services.intake.run import run_intake
from foidesk.services.intake.settings import (
    AuthorityView,
    BatchReport,
    IntakeReport,
    IntakeSettings,
    Outcome,
    RoutingRule,
)

__all__ = [
    "AuthorityView", "BatchReport", "IntakeReport", "IntakeSettings", "Outcome", "RoutingRule",
    "load_cursor", "mark_moved", "move_pending", "pending_moves", "poll_state", "process_batch",
    "process_message", "run_intake", "save_cursor",
]
