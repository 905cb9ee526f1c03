"""The officer's answers in a plain, documented format, checked against the law.

Plain text (an email reply to the case, or a file):

    Outcome: partial-ncnd
    Exemption: s24(2)
    Exemption: s31(3)
    Note: The response provided below is correct as of 16 October 2018.
    1. The Constabularies do not use overt automated facial recognition software.
    3a. Not applicable.

or TOML (`foidesk draft REF --from answers.toml`):

    outcome = "partial-ncnd"
    exemptions = ["s24(2)", "s31(3)"]
    note = "..."
    [answers]
    "1" = "The Constabularies do not use ..."

A review's outcome gives the reviewer's reasoning, per exemption or issue, and, when it
overturns the decision, the date the fresh response is due (default 20 working days):

    Outcome: partly-upheld
    Reason s31(1)(a): The exemption is engaged, but the public interest now favours ...
    Reason: The search was not adequate: the estates team was not asked.
    Respond by: 2026-12-18

A line starting with a question number begins that answer; the lines after it
continue it. Every answer must name a question of the request; a refusal (in
whole or part, or neither confirm nor deny) must cite an exemption (FOIA s17).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from foidesk.exemptions import find as find_exemption
from foidesk.questions import join_paragraphs
from foidesk.release.decisions import (
    DocumentDecision,
    DocumentRefused,
    decisions_from,
    document_line,
)


class Outcome(StrEnum):
    GRANTED = "granted"
    PARTIAL = "partial"
    REFUSED = "refused"
    NOT_HELD = "not-held"
    NCND = "ncnd"
    PARTIAL_NCND = "partial-ncnd"
    # internal review outcomes
    UPHELD = "upheld"
    OVERTURNED = "overturned"
    PARTLY_UPHELD = "partly-upheld"


OUTCOME_LABELS = {
    Outcome.GRANTED: "Information granted in full",
    Outcome.PARTIAL: "Information granted in part; some information withheld",
    Outcome.REFUSED: "Information withheld in full",
    Outcome.NOT_HELD: "Information not held",
    Outcome.NCND: "Neither confirm nor deny",
    Outcome.PARTIAL_NCND: "Partial neither confirm nor deny",
    Outcome.UPHELD: "The original decision is upheld",
    Outcome.OVERTURNED: "The original decision is overturned",
    Outcome.PARTLY_UPHELD: "The original decision is upheld in part",
}
NEEDS_EXEMPTION = frozenset({Outcome.PARTIAL, Outcome.REFUSED, Outcome.NCND,
                             Outcome.PARTIAL_NCND})
REVIEW_OUTCOMES = frozenset({Outcome.UPHELD, Outcome.OVERTURNED, Outcome.PARTLY_UPHELD})


class DraftError(ValueError):
    """Answers that cannot become a lawful letter; the message says what to fix."""


@dataclass
class DraftContent:
    outcome: Outcome
    exemptions: list[str] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)
    note: str = ""
    reasons: dict[str, str] = field(default_factory=dict)  # a review's, by exemption or issue
    documents: dict[int, DocumentDecision] = field(default_factory=dict)  # by document number
    respond_by: date | None = None  # an overturning review: when the fresh response is due


HEADER = re.compile(r"^\s*(outcome|exemption|note|respond by|reason(?:\s+([^:]{1,60}))?)\s*:"
                    r"\s*(.*)$", re.IGNORECASE)
ANSWER = re.compile(r"^\s*(\d{1,2}[a-z]?)[.):]\s+(.*)$", re.IGNORECASE)


def parse_plain(text: str) -> DraftContent:
    """Parse the plain format; the text above a quoted original only, and no line that
    starts with "#" (the starter's comments)."""
    text = re.split(r"^(?:>|On .{5,80} wrote:|-{2,}\s*Original Message)", text, maxsplit=1,
                    flags=re.MULTILINE)[0]
    outcome, exemptions, notes, respond_by = None, [], [], None
    answers: dict[str, list[str]] = {}
    reasons: dict[str, list[str]] = {}
    documents: list[tuple[str, list[int], str]] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if line.lstrip().startswith("#"):  # the starter's comments: questions, owners' words
            continue
        if about_document := document_line(line):
            documents.append(about_document)
            current = None
        elif header := HEADER.match(line):
            name, value = header.group(1).lower(), header.group(3).strip()
            current = None
            if name == "outcome":
                outcome = value
            elif name == "exemption":
                exemptions += [v.strip() for v in value.split(",") if v.strip()]
            elif name == "respond by":
                respond_by = _date(value)
            elif name.startswith("reason"):
                current = reasons.setdefault((header.group(2) or "").strip(), [])
                current.append(value)
            else:
                notes.append(value)
        elif answer := ANSWER.match(line):
            current = answers.setdefault(answer.group(1).lower(), [])
            current.append(answer.group(2).strip())
        elif current is not None:
            current.append(line.strip())
    if outcome is None:
        raise DraftError("no 'Outcome:' line (granted, partial, refused, not-held, ncnd, "
                         "partial-ncnd)")
    return DraftContent(
        outcome=_outcome(outcome), exemptions=exemptions,
        answers={n: join_paragraphs(lines, "\n\n") for n, lines in answers.items()},
        note=" ".join(notes),
        reasons={k: join_paragraphs(lines, "\n\n") for k, lines in reasons.items()},
        respond_by=respond_by,
        documents=_documents(lambda: decisions_from(documents)),
    )


def _documents(make) -> dict[int, DocumentDecision]:
    try:
        return make()
    except DocumentRefused as error:
        raise DraftError(str(error)) from None


def _toml_documents(table: dict) -> dict[int, DocumentDecision]:
    """`[documents]`: "1" = "clean", or "2" = { decision = "withhold", exemption = "s40(2)" }."""
    decided = {}
    for number, value in table.items():
        if not str(number).isdigit():
            raise DraftError(f"[documents] keys are document numbers, got {number!r}")
        fields = {"decision": value} if isinstance(value, str) else dict(value)
        if "terms" in fields:
            fields["terms"] = tuple(str(t) for t in fields["terms"])
        decided[int(number)] = DocumentDecision(**fields)
    return decided


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise DraftError(f"'Respond by:' must be a date such as 2026-12-18, got {value!r}") \
            from None


def parse_toml(text: str) -> DraftContent:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DraftError(f"answers file is not valid TOML: {error}") from None
    if "outcome" not in data:
        raise DraftError("answers file needs outcome = \"...\"")
    return DraftContent(
        outcome=_outcome(str(data["outcome"])),
        exemptions=[str(e) for e in data.get("exemptions", [])],
        answers={str(k).lower(): str(v).strip() for k, v in data.get("answers", {}).items()},
        note=str(data.get("note", "")),
        reasons={str(k): str(v).strip() for k, v in data.get("reasons", {}).items()},
        respond_by=_date(str(data["respond_by"])) if data.get("respond_by") else None,
        documents=_documents(lambda: _toml_documents(data.get("documents", {}))),
    )


def _outcome(value: str) -> Outcome:
    cleaned = value.strip().lower().replace(" ", "-").replace("_", "-")
    cleaned = {"partly": "partial", "full": "granted", "not-held": "not-held",
               "partial-neither-confirm-nor-deny": "partial-ncnd",
               "neither-confirm-nor-deny": "ncnd"}.get(cleaned, cleaned)
    try:
        return Outcome(cleaned)
    except ValueError:
        known = ", ".join(o.value for o in Outcome)
        raise DraftError(f"outcome must be one of {known}, got {value!r}") from None


def check(content: DraftContent, question_numbers: list[str], regime: str,
          *, review: bool = False) -> None:
    """Raise DraftError unless the content can become a lawful letter for this case."""
    if review != (content.outcome in REVIEW_OUTCOMES):
        wanted = "upheld, overturned, partly-upheld" if review else "a response outcome"
        raise DraftError(f"outcome {content.outcome.value!r} is wrong here: use {wanted}")
    unknown = sorted(set(content.answers) - {n.lower() for n in question_numbers})
    if unknown and not review:
        raise DraftError(
            f"answers to questions the request does not have: {', '.join(unknown)} "
            f"(questions: {', '.join(question_numbers)})"
        )
    withheld = {d.exemption.replace(" ", "").lower() for d in content.documents.values()
                if d.decision == "withhold"}
    cited = {e.replace(" ", "").lower() for e in content.exemptions}
    missing = sorted(withheld - cited)
    if missing:
        raise DraftError(f"a document is withheld under {', '.join(missing)}: FOIA s17 requires "
                         "the letter to cite it too (add 'Exemption: ...')")
    if not review and (content.reasons or content.respond_by):
        raise DraftError("'Reason' and 'Respond by' belong to a review's outcome, not a "
                         "response")
    if content.outcome is Outcome.UPHELD and content.respond_by:
        raise DraftError("an upheld decision needs no fresh response: drop 'Respond by'")
    if content.outcome in NEEDS_EXEMPTION and not content.exemptions:
        raise DraftError(f"outcome {content.outcome.value!r} withholds information: FOIA s17 "
                         "requires the exemption relied on (add 'Exemption: s31(3)')")
    for citation in content.exemptions:
        try:
            exemption = find_exemption(citation, regime)
        except KeyError as error:
            raise DraftError(str(error.args[0])) from None
        eir = regime.startswith("eir")
        if eir and exemption.regime in ("foia", "foisa") and exemption.code != "s39":
            raise DraftError(f"{citation} is an exemption of the Act; this is an EIR case: "
                             "cite an EIR exception (reg 12 or 13; in Scotland reg 10 or 11)")


def answers_starter(questions: list[tuple[str, str]], contributions: list[tuple[str, str]]) -> str:
    """A plain-format file to start from: each question, and what the owners sent."""
    lines = ["Outcome: granted", "# Exemption: s31(1)(a)   (one line per exemption relied on)",
             "# Note: anything to say before the answers", ""]
    for who, text in contributions:
        lines.append(f"# From {who}:")
        lines += [f"#   {line}" for line in text.strip().splitlines()[:40]]
        lines.append("")
    for number, question in questions:
        first, *rest = question.splitlines() or [""]
        lines.append(f"# {number} {first}")
        lines += [f"#   {line}" if line.strip() else "#" for line in rest]
        lines.append(f"{number}. ")
        lines.append("")
    return "\n".join(lines)
