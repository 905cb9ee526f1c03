"""Run from the Prefect UI (or the CLI, or an automation): a reviewer's decision through a
typed form, and an officer's draft sent for review. No schedule: people start them."""

from __future__ import annotations

from typing import Literal

from prefect import flow, get_run_logger
from pydantic import BaseModel, EmailStr, Field

from connectors.factory import build_sender
from flows.common import load_config, outgoing, parse_now
from flows.dashboard import dashboard
from foidesk.bootstrap import bootstrap, response_settings
from foidesk.drafting import parse_plain, parse_toml
from foidesk.outbox import drain
from foidesk.services.responses import create_draft, decide, submit_for_review


class ReviewDecision(BaseModel):
    """The form the review-decision deployment shows in the Prefect UI."""

    reference: str = Field(min_length=3, max_length=64, description="e.g. FOI 000001/26")
    decision: Literal["approve", "reject"]
    comment: str = Field(default="", max_length=4000, description="Required to reject")
    reviewer: EmailStr = Field(description="The authorised reviewer deciding")


@flow(name="review-decision", flow_run_name="review-{decision.reference}")
def review_decision(decision: ReviewDecision, config_path: str | None = None,
                    now: str | None = None) -> str:
    """Approve (and send) or reject the draft under review."""
    if decision.decision == "reject" and not decision.comment.strip():
        raise ValueError("a rejection needs a comment saying what must change")
    moment = parse_now(now)
    config = load_config(config_path)
    desk = bootstrap(config)
    draft = decide(desk.uow(), decision.reference, decision.decision, str(decision.reviewer),
                   response_settings(config), comment=decision.comment, via="prefect",
                   now=moment)
    with build_sender(config) as sender:
        drain(desk.uow, sender, outgoing, now=moment)
    get_run_logger().info("%s: draft v%s %s by %s", decision.reference, draft.version,
                          draft.status, decision.reviewer)
    desk.close()
    dashboard(config_path=config_path, now=now)
    return draft.status


@flow(name="respond", flow_run_name="respond-{reference}")
def respond(reference: str, answers: str, config_path: str | None = None,
            now: str | None = None) -> str:
    """Draft the response from the answers (plain format, or TOML) and send it for review."""
    moment = parse_now(now)
    config = load_config(config_path)
    desk = bootstrap(config)
    settings = response_settings(config)
    content = parse_toml(answers) if answers.lstrip().startswith("outcome") else parse_plain(
        answers)
    create_draft(desk.uow(), reference, content, settings, actor="prefect", now=moment)
    reviewer = submit_for_review(desk.uow(), reference, settings, actor="prefect", now=moment)
    with build_sender(config) as sender:
        drain(desk.uow, sender, outgoing, now=moment)
    desk.close()
    return reviewer
