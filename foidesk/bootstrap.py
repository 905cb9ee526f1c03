"""Wire the register to one config: the only place engines are built (never at import)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from foidesk.chasing import Schedule
from foidesk.config import Settings
from foidesk.references import ReferenceFormat
from foidesk.register.database import create_register_engine
from foidesk.register.migrate import upgrade
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.rendering import Renderer
from foidesk.services.cases import DeadlinePolicy
from foidesk.services.chasing import ChaseSettings
from foidesk.services.intake import AuthorityView, IntakeSettings, RoutingRule
from foidesk.services.intake.settings import Signatory
from foidesk.services.responses import ResponseSettings, Reviewer
from foidesk.triage import TriagePolicy


@dataclass
class Desk:
    """Everything a use case needs, built from one config."""

    settings: Settings
    engine: Engine
    policy: DeadlinePolicy
    reference_format: ReferenceFormat

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine)

    def close(self) -> None:
        self.engine.dispose()


def bootstrap(settings: Settings, *, migrate: bool = True) -> Desk:
    """Open the register named by `settings` (bringing its schema up to date)."""
    engine = create_register_engine(settings.database.url)
    if migrate:
        upgrade(engine)
    return Desk(
        settings=settings,
        engine=engine,
        policy=deadline_policy(settings),
        reference_format=settings.reference.reference_format(),
    )


def deadline_policy(settings: Settings) -> DeadlinePolicy:
    return DeadlinePolicy(
        receipt_rule=settings.calendar.receipt_rule,
        overrides=settings.calendar.overrides(),
        internal_due_working_days=settings.chase.internal_due_working_days,
    )


def authority_view(settings: Settings) -> AuthorityView:
    authority = settings.authority
    return AuthorityView(
        name=authority.name,
        foi_address=str(authority.foi_address),
        postal_address=authority.postal_address,
        jurisdiction=authority.jurisdiction,
        team_address=str(authority.team_address or authority.foi_address),
        decision_maker_name=(authority.decision_maker.name if authority.decision_maker
                             else "Freedom of Information Decision Maker"),
        decision_maker_title=(authority.decision_maker.title if authority.decision_maker
                              else ""),
        disclosure_log_url=authority.disclosure_log_url,
        salutation=settings.letters.salutation,
        salutation_unnamed=settings.letters.salutation_unnamed,
        valediction=settings.letters.valediction,
        signatories=tuple(Signatory(s.name, s.role, frozenset(r.value for r in s.regimes))
                          for s in settings.letters.signatories),
        review_suffix=settings.reference.review_suffix,
        complaint_suffix=settings.reference.complaint_suffix,
        languages=tuple(authority.languages),
        welsh_language_standards=authority.welsh_language_standards,
        welsh_first=authority.welsh_first,
        welsh_name=authority.welsh_name,
    )


def chase_settings(settings: Settings) -> ChaseSettings:
    """The chase schedule and escalation ladder, read from the config."""
    chase, ladder = settings.chase, settings.escalation
    return ChaseSettings(
        schedule=Schedule(
            remind_before_days=chase.remind_before_days,
            remind_on_due_day=chase.remind_on_due_day,
            repeat_every_days=chase.repeat_every_days,
            deputy_after_missed=ladder.deputy_after_missed_internal_due,
            manager_when_days_left=ladder.manager_when_working_days_left,
            has_manager=ladder.manager is not None,
            has_head=ladder.head_of_service is not None,
        ),
        renderer=Renderer(settings.templates.override_dir),
        authority=authority_view(settings),
        deadlines=deadline_policy(settings),
        manager=str(ladder.manager) if ladder.manager else None,
        head=str(ladder.head_of_service) if ladder.head_of_service else None,
    )


def response_settings(settings: Settings) -> ResponseSettings:
    """Reviewers and the trust rules for their decisions, read from the config."""
    return ResponseSettings(
        renderer=Renderer(settings.templates.override_dir),
        authority=authority_view(settings),
        deadlines=deadline_policy(settings),
        reviewers=tuple(
            Reviewer(str(r.email).lower(), frozenset(regime.value for regime in r.regimes),
                     r.name)
            for r in settings.reviewers
        ),
        trusted_relays=tuple(settings.review.trusted_relays),
        internal_domains=frozenset(d.lower() for d in settings.authority.internal_domains),
        attachment_budget=settings.release.attachment_budget_mb * 1024 * 1024,
    )


def intake_settings(settings: Settings) -> IntakeSettings:
    """What intake needs, read from the config."""
    authority = settings.authority
    box = settings.mailbox
    return IntakeSettings(
        authority=authority_view(settings),
        reference_format=settings.reference.reference_format(),
        deadlines=deadline_policy(settings),
        triage=TriagePolicy(
            reference_format=settings.reference.reference_format(),
            internal_domains=frozenset(d.lower() for d in authority.internal_domains),
            reviewers=frozenset(str(r.email).lower() for r in settings.reviewers),
            foi_address=str(authority.foi_address).lower(),
            scottish=authority.jurisdiction == "scotland",
            team_members=frozenset(
                {str(m).lower() for m in authority.team_members}
                | {str(authority.team_address or authority.foi_address).lower()}),
        ),
        renderer=Renderer(settings.templates.override_dir),
        routing=tuple(
            RoutingRule(name=r.name, owner=str(r.owner), deputy=str(r.deputy) if r.deputy else None,
                        keywords=tuple(r.keywords), pattern=r.pattern)
            for r in settings.routing
        ),
        internal_due_working_days=settings.chase.internal_due_working_days,
        size_limit=settings.intake.size_limit_mb * 1024 * 1024,
        attach_limit=settings.intake.attach_limit_mb * 1024 * 1024,
        processed_folder=_folder(box, "processed_folder"),
        quarantine_folder=_folder(box, "quarantine_folder"),
        auto_replies_per_day=settings.intake.auto_replies_per_address_per_day,
        send_budget_seconds=settings.intake.send_budget_minutes * 60.0,
        max_send=settings.intake.max_send_per_poll,
        mailbox_key=mailbox_key(box),
        chase=chase_settings(settings),
        responses=response_settings(settings),
    )


def _folder(box: object, name: str) -> str:
    """A mailbox folder as the team's notices name it."""
    folder = getattr(box, name, None)
    kind = "quarantine" if name.startswith("quarantine") else "processed"
    return f'the folder "{folder}"' if folder else f"the mailbox's {kind} folder"


def mailbox_key(box: object) -> str:
    """A stable name for the mailbox a cursor belongs to."""
    if box is None:
        return "none"
    kind = getattr(box, "kind", "mailbox")
    where = [str(getattr(box, name)) for name in ("host", "username", "mailbox",
                                                   "primary_smtp_address", "path", "folder")
             if getattr(box, name, None)]
    return f"{kind}:" + "/".join(where)
