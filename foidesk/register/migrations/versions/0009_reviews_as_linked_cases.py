"""reviews as linked cases of their own; the original's first response restored

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

Before this revision an internal review rewrote the case it reviewed: its regime became
`foia-review`, its clock restarted, its outcome and response date became the review's,
so the request answered in time vanished from the statistics. This migration splits each
such case in two, from the register's own records:

- the review becomes a case of its own, `<reference>-IR` (the default review suffix),
  linked to the original, with the review's clock, drafts, outcome and mail;
- the original gets back its regime (from its `case_registered` event), its due date
  (the last deadline recorded before the review was requested), its extension (from its
  clock events), and its first response: the outcome and exemptions of the response
  letter sent, the time it was sent (its `responded` status change) and whether that was
  in time.

Both cases get an event saying what was restored and from where. The append-only
`events` table is only added to.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REVIEW_OF = {"foia-review": "foia", "eir-review": "eir", "foisa-review": "foisa"}
REVIEW_OUTCOMES = ("upheld", "overturned", "partly-upheld")
SUFFIX = "-IR"
ACTOR = "migration 0009"
LONDON = ZoneInfo("Europe/London")


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_reference', sa.String(length=64),
                                      nullable=True))
        batch_op.add_column(sa.Column('responded_due_on', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_linked_case_id'), ['linked_case_id'],
                              unique=False)
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reasons', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('respond_by', sa.Date(), nullable=True))
    bind = op.get_bind()
    meta = sa.MetaData()
    meta.reflect(bind, only=["cases", "clock_events", "drafts", "events", "event_details",
                             "messages", "outbox"])
    now = datetime.now(UTC).replace(tzinfo=None)
    for case in bind.execute(sa.select(meta.tables["cases"])).mappings().all():
        review_event = _review_event(bind, meta, case["id"])
        if review_event is not None and (case["regime"] in REVIEW_OF or
                                         case["regime"] == "sar"):
            _split(bind, meta, dict(case), review_event, now)
    cases = meta.tables["cases"]
    bind.execute(cases.update().where(cases.c.responded_at.is_not(None),
                                      cases.c.responded_due_on.is_(None),
                                      cases.c.linked_case_id.is_(None))
                 .values(responded_due_on=cases.c.due_on))


def downgrade() -> None:
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.drop_column('respond_by')
        batch_op.drop_column('reasons')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_linked_case_id'))
        batch_op.drop_column('responded_due_on')
        batch_op.drop_column('external_reference')


def _review_event(bind, meta, case_id):
    clock = meta.tables["clock_events"]
    return bind.execute(
        sa.select(clock).where(clock.c.case_id == case_id, clock.c.kind == "review_requested")
        .order_by(clock.c.id.desc()).limit(1)).mappings().first()


def _events(bind, meta, case_id, action):
    events, details = meta.tables["events"], meta.tables["event_details"]
    return bind.execute(
        sa.select(events.c.id, events.c.at, details.c.after)
        .select_from(events.outerjoin(details, details.c.event_id == events.c.id))
        .where(events.c.case_id == case_id, events.c.action == action)
        .order_by(events.c.id)).mappings().all()


def _split(bind, meta, case, review_event, now) -> None:
    cases, clock, drafts = (meta.tables[n] for n in ("cases", "clock_events", "drafts"))
    messages, outbox = meta.tables["messages"], meta.tables["outbox"]
    asked_at = review_event["recorded_at"]
    registered = _events(bind, meta, case["id"], "case_registered")
    original_regime = next((e["after"]["regime"] for e in registered
                            if e["after"] and e["after"].get("regime")),
                           REVIEW_OF.get(case["regime"], case["regime"]))
    due_on, due_from = _due_before(bind, meta, case, registered, asked_at)
    response = bind.execute(
        sa.select(drafts).where(drafts.c.case_id == case["id"], drafts.c.kind == "response",
                                drafts.c.status == "sent")
        .order_by(drafts.c.version.desc()).limit(1)).mappings().first()
    responded_at = next((e["at"] for e in _events(bind, meta, case["id"], "status_changed")
                         if e["after"] and e["after"].get("status") == "responded"
                         and e["at"] <= asked_at), None)
    in_time = (None if responded_at is None or due_on is None else
               responded_at.replace(tzinfo=UTC).astimezone(LONDON).date() <= due_on)
    extension, extension_days = _extension_before(bind, clock, case["id"], review_event["id"])
    review_done = case["outcome"] in REVIEW_OUTCOMES
    review_status = "acknowledged" if case["status"] == "internal_review" else case["status"]
    review_regime = "dp-complaint" if original_regime == "sar" else case["regime"]
    suffix = "-DPC" if review_regime == "dp-complaint" else SUFFIX
    review_id = bind.execute(cases.insert().values(
        reference=f"{case['reference']}{suffix}", regime=review_regime, status=review_status,
        subject=case["subject"], requester_id=case["requester_id"], received_at=asked_at,
        received_on=review_event["on"], due_on=case["due_on"], deadline_version=1,
        extension=None, extension_days=None,
        outcome=case["outcome"] if review_done else None,
        responded_at=case["responded_at"] if review_done else None,
        in_time=case["in_time"] if review_done else None,
        created_at=asked_at, updated_at=now, request_text=review_event["note"] or "",
        flags=[], linked_case_id=case["id"],
        exemptions=case["exemptions"] if review_done else [],
        disclosure_status=None,
    )).inserted_primary_key[0]
    bind.execute(drafts.update().where(drafts.c.case_id == case["id"],
                                       drafts.c.kind == "review").values(case_id=review_id))
    bind.execute(clock.update().where(clock.c.case_id == case["id"],
                                      clock.c.id > review_event["id"]).values(case_id=review_id))
    bind.execute(clock.delete().where(clock.c.id == review_event["id"]))
    asked_in = (review_event["note"] or "").rsplit(" in ", 1)[-1].strip()
    bind.execute(messages.update().where(
        messages.c.case_id == case["id"],
        sa.or_(messages.c.at >= asked_at, messages.c.message_id == asked_in))
        .values(case_id=review_id))
    bind.execute(outbox.update().where(outbox.c.case_id == case["id"],
                                       outbox.c.created_at >= asked_at)
                 .values(case_id=review_id))
    bind.execute(cases.update().where(cases.c.id == case["id"]).values(
        regime=original_regime, status="closed", due_on=due_on, responded_due_on=due_on,
        extension=extension, extension_days=extension_days,
        outcome=response["outcome"] if response else None,
        exemptions=response["exemptions"] if response else [],
        responded_at=responded_at, in_time=in_time, updated_at=now))
    reference = f"{case['reference']}{suffix}"
    _event(bind, meta, case["id"], now, "review_split",
           f"the internal review became {reference}; restored: regime {original_regime} "
           f"(case_registered), due {due_on} ({due_from}), outcome "
           f"{response['outcome'] if response else 'none'} (response v"
           f"{response['version'] if response else '-'}), responded {responded_at} "
           f"(status change), in time {in_time}")
    _event(bind, meta, review_id, now, "case_registered",
           f"split from {case['reference']}, whose review this is, by migration 0009",
           after={"reference": reference, "status": review_status, "regime": review_regime,
                  "received_on": review_event["on"].isoformat(),
                  "due_on": case["due_on"].isoformat() if case["due_on"] else None,
                  "linked_to": case["reference"]})


def _due_before(bind, meta, case, registered, asked_at):
    """The due date last recorded before the review was asked for, and where it came from."""
    changes = [e for e in _events(bind, meta, case["id"], "deadline_changed")
               if e["at"] < asked_at and e["after"] and "due_on" in e["after"]]
    if changes:
        return _date(changes[-1]["after"]["due_on"]), "its last deadline change before the review"
    for event in registered:
        if event["after"] and event["after"].get("due_on"):
            return _date(event["after"]["due_on"]), "its registration"
    return None, "not recorded"


def _extension_before(bind, clock, case_id, before_id):
    row = bind.execute(
        sa.select(clock.c.kind, clock.c.days).where(
            clock.c.case_id == case_id, clock.c.id < before_id,
            clock.c.kind.in_(["extension_pit", "extension_complex"]))
        .order_by(clock.c.id.desc()).limit(1)).first()
    if row is None:
        return None, None
    return ("pit", row.days) if row.kind == "extension_pit" else ("complex", None)


def _date(text):
    return None if text is None else datetime.fromisoformat(text).date()


def _event(bind, meta, case_id, at, action, detail, after=None) -> None:
    events, details = meta.tables["events"], meta.tables["event_details"]
    event_id = bind.execute(events.insert().values(
        case_id=case_id, at=at, actor=ACTOR, action=action, detail="")).inserted_primary_key[0]
    bind.execute(details.insert().values(event_id=event_id, before=None, after=after,
                                         detail=detail))
