"""Draft, review and send the response: nobody sends what an authorised reviewer has not
approved, and the approved letter goes to the requester exactly once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from foidesk.calendar import RULES, Regime
from foidesk.cases import CaseStatus
from foidesk.drafting import DraftContent, DraftError, check
from foidesk.letters import letter_context, render_letter
from foidesk.mail import InboundMessage
from foidesk.outbox import compose, enqueue, from_authority
from foidesk.register.models import Case, Draft
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.rendering import RenderedEmail, Renderer
from foidesk.services.audit import record_event
from foidesk.services.cases import DeadlinePolicy, london_date, move_case


class ReviewRefused(PermissionError):
    """A decision that may not be taken: not a reviewer, not authenticated, not different."""


@dataclass(frozen=True)
class Reviewer:
    email: str
    regimes: frozenset[str]


@dataclass(frozen=True)
class ResponseSettings:
    renderer: Renderer
    authority: object  # services.intake.AuthorityView
    deadlines: DeadlinePolicy
    reviewers: tuple[Reviewer, ...] = ()
    trusted_relays: tuple[str, ...] = ()
    internal_domains: frozenset[str] = frozenset()

    @property
    def domain(self) -> str:
        return self.authority.foi_address.rsplit("@", 1)[-1]  # type: ignore[attr-defined]


def _review_days(case: Case) -> int:
    review = {"foia": "foia-review", "eir": "eir-review", "foisa": "foisa-review"}
    rule = RULES[Regime(review.get(case.regime, case.regime))]
    return rule.working_days or 20


def is_review(case: Case) -> bool:
    return case.regime.endswith("-review")


# -- drafting -------------------------------------------------------------------------


def create_draft(
    uow: SqlUnitOfWork, reference: str, content: DraftContent, settings: ResponseSettings, *,
    actor: str, now: datetime,
) -> Draft:
    """Render and store a new version of the letter; the case moves to drafting."""
    with uow:
        case = uow.cases.get(reference)
        draft = add_draft(uow, case, content, settings, actor=actor, now=now)
        uow.commit()
        return draft


def add_draft(uow: SqlUnitOfWork, case: Case, content: DraftContent, settings: ResponseSettings,
              *, actor: str, now: datetime) -> Draft:
    check(content, [q.number for q in case.questions], case.regime, review=is_review(case))
    if case.status in (CaseStatus.ACKNOWLEDGED.value, CaseStatus.AWAITING_OWNER.value,
                       CaseStatus.INTERNAL_REVIEW.value):
        move_case(uow, case, CaseStatus.DRAFTING, actor=actor, now=now,
                  detail="response drafted")
    elif case.status != CaseStatus.DRAFTING.value:
        raise DraftError(f"case {case.reference} is {case.status}: a response can be drafted "
                         "only while the case is open for one")
    name = "review" if is_review(case) else "response"
    letter = render_letter(settings.renderer, name, letter_context(
        case, content, settings.authority, letter_date=london_date(now),
        review_days=_review_days(case)))
    version = max((d.version for d in case.drafts), default=0) + 1
    draft = Draft(
        version=version, kind=name, outcome=content.outcome.value, exemptions=content.exemptions,
        answers=content.answers, notes=content.note, letter_text=letter.text,
        letter_html=letter.html, pdf=letter.pdf, status="draft", created_at=now,
        created_by=actor,
    )
    case.drafts.append(draft)
    for question in case.questions:
        if question.number.lower() in content.answers:
            question.answer = content.answers[question.number.lower()]
    record_event(uow, case, "draft_created", actor=actor, now=now,
                 after={"version": version, "outcome": content.outcome.value,
                        "exemptions": content.exemptions})
    return draft


def latest_draft(case: Case) -> Draft:
    if not case.drafts:
        raise DraftError(f"case {case.reference} has no draft yet: run `foidesk draft`")
    return case.drafts[-1]


# -- review ---------------------------------------------------------------------------


def submit_for_review(
    uow: SqlUnitOfWork, reference: str, settings: ResponseSettings, *, actor: str,
    now: datetime,
) -> str:
    """Send the latest draft, letter attached, to the authorised reviewer; returns who."""
    with uow:
        case = uow.cases.get(reference)
        reviewer = queue_review(uow, case, settings, actor=actor, now=now)
        uow.commit()
        return reviewer


def queue_review(uow: SqlUnitOfWork, case: Case, settings: ResponseSettings, *, actor: str,
                 now: datetime) -> str:
    """The review email inside the caller's transaction (the caller commits)."""
    draft = latest_draft(case)
    reviewer = _reviewer_for(case, settings)
    move_case(uow, case, CaseStatus.IN_REVIEW, actor=actor, now=now,
              detail=f"draft v{draft.version} sent to {reviewer}")
    draft.status = "in_review"
    rendered = settings.renderer.email(
        "review_request", authority=settings.authority, case=case, draft=draft,
        reviewer=reviewer,
    )
    envelope = from_authority(
        settings.authority, (reviewer,),
        attachments=((f"{_file_stem(case)}-draft-v{draft.version}.pdf", "application/pdf",
                      draft.pdf),),
    )
    message = compose(rendered, envelope, domain=settings.domain, now=now)
    enqueue(uow, f"review:{case.reference}:v{draft.version}", message, envelope, case=case,
            now=now)
    return reviewer


def _reviewer_for(case: Case, settings: ResponseSettings) -> str:
    """The first authorised reviewer for the regime (for a review: not the first decider)."""
    excluded = original_decider(case)
    for reviewer in settings.reviewers:
        if case.regime in reviewer.regimes and reviewer.email != excluded:
            return reviewer.email
    raise ReviewRefused(f"no reviewer is configured for {case.regime} cases"
                        + (f" other than {excluded}" if excluded else ""))


def original_decider(case: Case) -> str | None:
    """Who approved the response an internal review is reviewing."""
    if not is_review(case):
        return None
    sent = [d for d in case.drafts if d.kind == "response" and d.status == "sent"]
    return sent[-1].reviewer if sent else None


def decide(
    uow: SqlUnitOfWork, reference: str, decision: str, reviewer: str, settings: ResponseSettings,
    *, comment: str = "", via: str, now: datetime,
) -> Draft:
    """Approve (then send) or reject the draft under review, as `reviewer`."""
    with uow:
        case = uow.cases.get(reference)
        draft = apply_decision(uow, case, decision, reviewer, settings, comment=comment,
                               via=via, now=now)
        uow.commit()
        return draft


def apply_decision(
    uow: SqlUnitOfWork, case: Case, decision: str, reviewer: str, settings: ResponseSettings,
    *, comment: str = "", via: str, now: datetime,
) -> Draft:
    reviewer = reviewer.lower()
    allowed = {r.email for r in settings.reviewers if case.regime in r.regimes}
    if reviewer not in allowed:
        raise ReviewRefused(f"{reviewer} is not an authorised reviewer for {case.regime} cases")
    if reviewer == original_decider(case):
        raise ReviewRefused(f"{reviewer} made the original decision and cannot review it")
    if case.status != CaseStatus.IN_REVIEW.value:
        raise ReviewRefused(f"case {case.reference} is {case.status}, not in review")
    draft = latest_draft(case)
    draft.reviewer, draft.reviewed_at, draft.review_comment, draft.review_via = (
        reviewer, now, comment or None, via)
    if decision.lower() in ("approve", "approved"):
        draft.status = "approved"
        move_case(uow, case, CaseStatus.APPROVED, actor=reviewer, now=now,
                  detail=f"draft v{draft.version} approved ({via})")
        _send_response(uow, case, draft, settings, now)
        return draft
    if decision.lower() not in ("reject", "rejected"):
        raise ReviewRefused(f"decision must be approve or reject, got {decision!r}")
    draft.status = "rejected"
    move_case(uow, case, CaseStatus.DRAFTING, actor=reviewer, now=now,
              detail=f"draft v{draft.version} rejected ({via}): {comment}")
    _notify_team(uow, case, settings, now,
                 f"Draft v{draft.version} of {case.reference} was rejected by {reviewer}",
                 comment or "(no reason given)", key=f"rejected:{case.reference}:v{draft.version}")
    return draft


def _send_response(uow: SqlUnitOfWork, case: Case, draft: Draft, settings: ResponseSettings,
                   now: datetime) -> None:
    """Queue the approved letter to the requester (once, by key) and close the case."""
    requester = case.requester.email if case.requester else None
    if requester:
        subject = " ".join(settings.renderer.env.get_template(
            f"letters/{draft.kind}.subject.j2").render(case=case).split())
        envelope = from_authority(
            settings.authority, (requester,),
            in_reply_to=uow.cases.request_message_id(case),
            auto_submitted="no",
            attachments=((f"{_file_stem(case)}.pdf", "application/pdf", draft.pdf),),
        )
        message = compose(RenderedEmail(subject, draft.letter_text, draft.letter_html),
                          envelope, domain=settings.domain, now=now)
        enqueue(uow, f"response:{case.reference}:v{draft.version}", message, envelope,
                case=case, now=now)
    draft.status = "sent"
    case.outcome = draft.outcome
    case.exemptions = list(draft.exemptions)
    case.responded_at = now
    case.in_time = case.due_on is not None and london_date(now) <= case.due_on
    case.disclosure_status = "queued" if draft.kind == "response" else case.disclosure_status
    move_case(uow, case, CaseStatus.RESPONDED, actor="responses", now=now,
              detail=f"letter v{draft.version} sent to {requester or 'the requester by post'}")
    move_case(uow, case, CaseStatus.CLOSED, actor="responses", now=now,
              detail=f"outcome {draft.outcome}; in time: {case.in_time}")


def _notify_team(uow, case, settings, now, headline: str, detail: str, *, key: str) -> None:
    rendered = settings.renderer.email(
        "team_notice", authority=settings.authority, case=case, headline=headline,
        sender="", decision="review", reason=headline, detail=detail, attached=False,
    )
    team = settings.authority.team_address or settings.authority.foi_address
    envelope = from_authority(settings.authority, (team,))
    enqueue(uow, key, compose(rendered, envelope, domain=settings.domain, now=now), envelope,
            case=case, now=now)


def _file_stem(case: Case) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", case.reference).strip("-")


# -- decisions by email ---------------------------------------------------------------

DECISION = re.compile(r"^\s*(approved?|reject(?:ed)?)\b\s*[:\-]?\s*(.*)$", re.IGNORECASE)


def read_decision(message: InboundMessage) -> tuple[str, str] | None:
    """`APPROVE` or `REJECT: reason` on the first line of the reply, above any quote."""
    text = re.split(r"^(?:>|On .{5,80} wrote:|-{2,}\s*Original Message)", message.text,
                    maxsplit=1, flags=re.MULTILINE)[0]
    for line in text.splitlines():
        if line.strip():
            match = DECISION.match(line)
            if not match:
                return None
            decision = "approve" if match.group(1).lower().startswith("approv") else "reject"
            return decision, match.group(2).strip()
    return None


def authenticated(message: InboundMessage, settings: ResponseSettings) -> str | None:
    """Why this message can be trusted to come from the authority's own domain, or None.

    Accepted: an Authentication-Results header (RFC 8601) with dkim=pass for one of the
    authority's domains, or spf=pass for a sender address in one; or arrival through a
    configured trusted internal relay (its name in the last Received header).
    """
    domains = set(settings.internal_domains) | {settings.domain}
    results = message.headers.get("authentication-results", "")
    for match in re.finditer(r"dkim=pass[^;]*header\.d=([\w.-]+)", results, re.IGNORECASE):
        if match.group(1).lower() in domains:
            return f"dkim=pass for {match.group(1).lower()}"
    for match in re.finditer(r"spf=pass[^;]*smtp\.mailfrom=[^@\s;]*@?([\w.-]+)", results,
                             re.IGNORECASE):
        if match.group(1).lower() in domains:
            return f"spf=pass for {match.group(1).lower()}"
    received = message.headers.get("received", "").lower()
    for relay in settings.trusted_relays:
        if re.search(rf"\bfrom {re.escape(relay.lower())}\b", received):
            return f"arrived through trusted relay {relay}"
    return None
