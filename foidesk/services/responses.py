"""Draft, review and send the response: nobody sends what an authorised reviewer has not
approved, and the approved letter goes to the requester exactly once."""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from datetime import datetime

from foidesk.calendar import REVIEW_REGIME, RULES, Regime
from foidesk.cases import CaseStatus
from foidesk.drafting import DraftContent, DraftError, Outcome, check
from foidesk.letters import letter_context, render_letter
from foidesk.mail import InboundMessage
from foidesk.outbox import compose, enqueue, from_authority
from foidesk.references import file_stem
from foidesk.register.models import Case, Draft
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.release.decisions import DocumentRefused
from foidesk.rendering import RenderedEmail, Renderer
from foidesk.services.audit import record_event
from foidesk.services.cases import DeadlinePolicy, london_date, move_case
from foidesk.services.documents import (
    decide_documents,
    document_summaries,
    release,
    unresolved,
)
from foidesk.services.regulator import close_complied
from foidesk.services.reviews import (
    REOPENING_OUTCOMES,
    is_review,
    original_of,
    reopen_for_fresh_response,
)


class ReviewRefused(PermissionError):
    """A decision that may not be taken: not a reviewer, not authenticated, not different."""


@dataclass(frozen=True)
class Reviewer:
    email: str
    regimes: frozenset[str]
    name: str = ""


@dataclass(frozen=True)
class ResponseSettings:
    renderer: Renderer
    authority: object  # services.intake.AuthorityView
    deadlines: DeadlinePolicy
    reviewers: tuple[Reviewer, ...] = ()
    trusted_relays: tuple[str, ...] = ()
    attachment_budget: int = 15 * 1024 * 1024  # bytes of released files in one email
    internal_domains: frozenset[str] = frozenset()

    @property
    def domain(self) -> str:
        return self.authority.foi_address.rsplit("@", 1)[-1]  # type: ignore[attr-defined]


def _review_days(case: Case) -> int:
    """Working days a review of this case has (the letter tells the requester)."""
    rule = RULES[Regime(REVIEW_REGIME.get(case.regime, case.regime))]
    return rule.working_days or 20


def letter_kind(case: Case) -> str:
    """Which letter a draft on this case is: a response, a review's outcome, or the fresh
    response a review (or the Commissioner) required."""
    if is_review(case):
        return "review"
    return "fresh-response" if case.responded_at is not None else "response"


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
                       CaseStatus.REOPENED.value):
        move_case(uow, case, CaseStatus.DRAFTING, actor=actor, now=now,
                  detail="response drafted")
    elif case.status != CaseStatus.DRAFTING.value:
        raise DraftError(f"case {case.reference} is {case.status}: a response can be drafted "
                         "only while the case is open for one")
    if content.documents:
        try:
            decide_documents(uow, case, content.documents, actor=actor, now=now)
        except DocumentRefused as error:
            raise DraftError(str(error)) from None
    kind = letter_kind(case)
    original = original_of(uow, case)
    letter = render_letter(settings.renderer, "review" if kind == "review" else "response",
                           letter_context(case, content, settings.authority,
                                          letter_date=london_date(now),
                                          review_days=_review_days(case), original=original,
                                          draft=True,
                                          reviewer_name=_expected_reviewer(uow, case, settings),
                                          renderer=settings.renderer))
    version = max((d.version for d in case.drafts), default=0) + 1
    draft = Draft(
        version=version, kind=kind, outcome=content.outcome.value, exemptions=content.exemptions,
        answers=content.answers, reasons=content.reasons or None, respond_by=content.respond_by,
        notes=content.note, letter_text=letter.text,
        letter_html=letter.html, pdf=letter.pdf, status="draft", created_at=now,
        created_by=actor,
    )
    case.drafts.append(draft)
    for question in case.questions:
        if question.number.lower() in content.answers:
            question.answer = content.answers[question.number.lower()]
    from foidesk.letter_pdf import unrenderable  # loaded by render_letter already

    missing = unrenderable(letter.text)
    record_event(uow, case, "draft_created", actor=actor, now=now,
                 after={"version": version, "outcome": content.outcome.value,
                        "exemptions": content.exemptions},
                 detail=(f"the PDF's font cannot show {missing!r}: they appear as \ufffd; "
                         "check the PDF before approval" if missing else ""))
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
    reviewer = _reviewer_for(uow, case, settings)
    move_case(uow, case, CaseStatus.IN_REVIEW, actor=actor, now=now,
              detail=f"draft v{draft.version} sent to {reviewer}")
    draft.status = "in_review"
    rendered = settings.renderer.email(
        "review_request", authority=settings.authority, case=case, draft=draft,
        reviewer=reviewer, documents=document_summaries(case),
        unresolved=cannot_approve(uow, case, draft, settings),
    )
    envelope = from_authority(
        settings.authority, (reviewer,),
        attachments=((letter_file_name(uow, case, draft, final=False), "application/pdf",
                      draft.pdf),),
    )
    message = compose(rendered, envelope, domain=settings.domain, now=now)
    enqueue(uow, f"review:{case.reference}:v{draft.version}", message, envelope, case=case,
            now=now)
    return reviewer


def _reviewer_for(uow: SqlUnitOfWork, case: Case, settings: ResponseSettings) -> str:
    """The first authorised reviewer for the regime (for a review: not the first decider)."""
    excluded = original_decider(uow, case)
    for reviewer in settings.reviewers:
        if case.regime in reviewer.regimes and reviewer.email != excluded:
            return reviewer.email
    raise ReviewRefused(f"no reviewer is configured for {case.regime} cases"
                        + (f" other than {excluded}" if excluded else ""))


def original_decider(uow: SqlUnitOfWork, case: Case) -> str | None:
    """Who approved the response an internal review is reviewing."""
    original = original_of(uow, case) if is_review(case) else None
    if original is None:
        return None
    sent = [d for d in original.drafts if d.kind == "response" and d.status == "sent"]
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
    if reviewer == original_decider(uow, case):
        raise ReviewRefused(f"{reviewer} made the original decision and cannot review it")
    if case.status != CaseStatus.IN_REVIEW.value:
        raise ReviewRefused(f"case {case.reference} is {case.status}, not in review")
    draft = latest_draft(case)
    draft.reviewer, draft.reviewed_at, draft.review_comment, draft.review_via = (
        reviewer, now, comment or None, via)
    if decision.lower() in ("approve", "approved"):
        problems = unresolved(case)
        if problems:
            raise ReviewRefused("the response cannot be approved while a document would leave "
                                "with hidden or personal data: " + "; ".join(problems))
        parts = still_to_translate(uow, case, draft, settings)
        if parts:
            raise ReviewRefused(
                f"the response to {case.reference} is in Welsh, the language of the request, "
                f"and {'; '.join(parts)} {'is' if len(parts) == 1 else 'are'} still to be "
                "translated: the officer sends a new draft with them in Welsh")
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
    """Queue the approved letter to the requester (once, by key) and close the case.

    The letter is rendered again, dated today and without the DRAFT marking: what the
    reviewer approved is what is sent, on the day it is sent."""
    try:
        released = release(uow, case, now=now, actor="responses")
    except DocumentRefused as error:
        raise ReviewRefused(f"not sent: {error}") from None
    size = sum(len(data) for _, data in released.files)
    batches = _batches(released.files, settings.attachment_budget)
    # How the released files travel; the letter words it in the requester's language.
    delivery = ({} if not released.files else
                {"emails": len(batches), "size_mb": f"{size / 1024 / 1024:.1f}"})
    letter = final_letter(uow, case, draft, settings, now, delivery=delivery)
    draft.letter_text, draft.letter_html, draft.pdf = letter.text, letter.html, letter.pdf
    requester = case.requester.email if case.requester else None
    if requester:
        letter_file = (letter_file_name(uow, case, draft, final=True), "application/pdf",
                       draft.pdf)
        together = len(batches) == 1
        envelope = from_authority(
            settings.authority, (requester,),
            in_reply_to=uow.cases.request_message_id(case),
            auto_submitted="no",
            attachments=(letter_file, *(_attachment(f) for f in batches[0])) if together
            else (letter_file,),
        )
        message = compose(RenderedEmail(letter.subject, letter.text, letter.html),
                          envelope, domain=settings.domain, now=now)
        enqueue(uow, f"response:{case.reference}:v{draft.version}", message, envelope,
                case=case, now=now)
        if not together:
            _send_files(uow, case, draft, batches, str(message["Message-ID"]), requester,
                        settings, now)
    else:
        record_event(uow, case, "letter_by_post", actor="responses", now=now,
                     detail=f"{draft.kind} v{draft.version}: no email address; print "
                            f"{letter_file_name(uow, case, draft, final=True)} and post it")
    draft.status = "sent"
    if draft.kind == "fresh-response":
        # The first response and its place in the statistics stay as they were.
        record_event(uow, case, "fresh_response_sent", actor="responses", now=now,
                     after={"outcome": draft.outcome, "exemptions": list(draft.exemptions),
                            "due_on": case.due_on.isoformat() if case.due_on else None,
                            "in_time": case.due_on is not None
                            and london_date(now) <= case.due_on})
        close_complied(uow, case, actor="responses", now=now)
    else:
        case.outcome = draft.outcome
        case.exemptions = list(draft.exemptions)
        case.responded_at = now
        case.responded_due_on = case.due_on
        case.in_time = case.due_on is not None and london_date(now) <= case.due_on
    if draft.kind != "review":
        case.disclosure_status = "queued"
    move_case(uow, case, CaseStatus.RESPONDED, actor="responses", now=now,
              detail=f"letter v{draft.version} sent to {requester or 'the requester by post'}")
    move_case(uow, case, CaseStatus.CLOSED, actor="responses", now=now,
              detail=f"outcome {draft.outcome}; in time: {case.in_time}")
    if draft.kind == "review" and draft.outcome in REOPENING_OUTCOMES:
        reopen_for_fresh_response(uow, case, respond_by=draft.respond_by,
                                  policy=settings.deadlines, actor="responses", now=now)


def _batches(files: list[tuple[str, bytes]], budget: int) -> list[list[tuple[str, bytes]]]:
    """The files in emails of at most `budget` bytes each (a larger file goes alone)."""
    batches: list[list[tuple[str, bytes]]] = [[]]
    for name, data in files:
        if batches[-1] and sum(len(d) for _, d in batches[-1]) + len(data) > budget:
            batches.append([])
        batches[-1].append((name, data))
    return batches if batches[0] else [[]]


def _attachment(file: tuple[str, bytes]) -> tuple[str, str, bytes]:
    name, data = file
    return name, mimetypes.guess_type(name)[0] or "application/octet-stream", data


def _send_files(uow, case: Case, draft: Draft, batches, response_id: str, requester: str,
                settings: ResponseSettings, now: datetime) -> None:
    """The released files in further emails, each threaded on the response."""
    for n, batch in enumerate(batches, start=1):
        rendered = settings.renderer.email(
            "released_files", language=case.language, authority=settings.authority,
            case=case, part=n,
            parts=len(batches), files=[name for name, _ in batch],
            requester_name=case.requester.name if case.requester else "")
        envelope = from_authority(settings.authority, (requester,), in_reply_to=response_id,
                                  auto_submitted="no",
                                  attachments=tuple(_attachment(f) for f in batch))
        enqueue(uow, f"released:{case.reference}:v{draft.version}:{n}",
                compose(rendered, envelope, domain=settings.domain, now=now), envelope,
                case=case, now=now)


def final_letter(uow: SqlUnitOfWork, case: Case, draft: Draft, settings: ResponseSettings,
                 now: datetime, *, delivery: dict | None = None):
    """The approved draft's letter as sent: dated `now`, not marked DRAFT."""
    content = content_of(draft)
    return render_letter(settings.renderer, "review" if draft.kind == "review" else "response",
                         letter_context(case, content, settings.authority,
                                        letter_date=london_date(now),
                                        review_days=_review_days(case),
                                        original=original_of(uow, case), draft=False,
                                        reviewer_name=reviewer_name(draft.reviewer, settings),
                                        delivery=delivery, renderer=settings.renderer))


def content_of(draft: Draft) -> DraftContent:
    """What the officer wrote in a draft, as the letter is built from it."""
    return DraftContent(outcome=Outcome(draft.outcome), exemptions=list(draft.exemptions),
                        answers=dict(draft.answers or {}), note=draft.notes,
                        reasons=dict(draft.reasons or {}), respond_by=draft.respond_by)


def still_to_translate(uow: SqlUnitOfWork, case: Case, draft: Draft,
                       settings: ResponseSettings) -> list[str]:
    """The parts of a letter in the requester's language (Welsh) still in another one."""
    if (case.language or "en") == "en":
        return []
    context = letter_context(case, content_of(draft), settings.authority,
                             letter_date=draft.created_at.date(),
                             review_days=_review_days(case), original=original_of(uow, case),
                             renderer=settings.renderer)
    return context["untranslated"]


def cannot_approve(uow: SqlUnitOfWork, case: Case, draft: Draft,
                   settings: ResponseSettings) -> list[str]:
    """Why the latest draft may not be approved yet, as the reviewer is told."""
    parts = still_to_translate(uow, case, draft, settings)
    translate = ([f"the letter is in Welsh but {', '.join(parts)} "
                  f"{'is' if len(parts) == 1 else 'are'} not yet translated"] if parts else [])
    return [*unresolved(case), *translate]


def _expected_reviewer(uow: SqlUnitOfWork, case: Case, settings: ResponseSettings) -> str:
    """The name of who will decide a review's draft, as the draft letter names them."""
    if not is_review(case):
        return ""
    try:
        return reviewer_name(_reviewer_for(uow, case, settings), settings)
    except ReviewRefused:
        return ""


def reviewer_name(email: str | None, settings: ResponseSettings) -> str:
    return next((r.name for r in settings.reviewers if r.email == email and r.name), "")


def letter_file_name(uow: SqlUnitOfWork, case: Case, draft: Draft, *, final: bool) -> str:
    """`FOI-000001-26-response.pdf`, `FOI-000001-26-review-outcome.pdf`,
    `FOI-000001-26-fresh-response.pdf`; a draft's name says so and gives its version."""
    original = original_of(uow, case) if draft.kind == "review" else None
    stem = file_stem((original or case).reference)
    name = {"review": "review-outcome"}.get(draft.kind, draft.kind)
    return f"{stem}-{name}.pdf" if final else f"{stem}-{name}-DRAFT-v{draft.version}.pdf"


def _notify_team(uow, case, settings, now, headline: str, detail: str, *, key: str) -> None:
    rendered = settings.renderer.email(
        "team_notice", authority=settings.authority, case=case, headline=headline,
        sender="", decision="review", reason=headline, detail=detail, attached=False,
    )
    team = settings.authority.team_address or settings.authority.foi_address
    envelope = from_authority(settings.authority, (team,))
    enqueue(uow, key, compose(rendered, envelope, domain=settings.domain, now=now), envelope,
            case=case, now=now)


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
