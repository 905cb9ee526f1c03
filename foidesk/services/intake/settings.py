"""What intake is told about the authority, and what it reports back."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from foidesk.mail import InboundMessage
from foidesk.references import ReferenceFormat
from foidesk.register.models import (
    Case,
)
from foidesk.register.unit_of_work import SqlUnitOfWork
from foidesk.rendering import Renderer
from foidesk.services.cases import (
    DeadlinePolicy,
)
from foidesk.services.chasing import ChaseSettings
from foidesk.services.responses import (
    ResponseSettings,
)
from foidesk.triage import Triage, TriagePolicy

ACTOR = "intake"
REPEAT_WORKING_DAYS = 20  # a repeat within the statutory period is the same request
REPEAT_SIMILARITY = 0.9


@dataclass(frozen=True)
class RoutingRule:
    name: str
    owner: str
    deputy: str | None = None
    keywords: tuple[str, ...] = ()
    pattern: str | None = None

    def matches(self, text: str) -> bool:
        lowered = text.lower()
        if any(k.lower() in lowered for k in self.keywords):
            return True
        return bool(self.pattern and re.search(self.pattern, text))


@dataclass(frozen=True)
class Signatory:
    """Who signs a regime's letters, and in what role."""

    name: str
    role: str = ""
    regimes: frozenset[str] = frozenset()  # empty: every regime


@dataclass(frozen=True)
class AuthorityView:
    """What templates say about the authority."""

    name: str
    foi_address: str
    postal_address: str = ""
    jurisdiction: str = "england-wales"
    team_address: str = ""
    decision_maker_name: str = "Freedom of Information Decision Maker"
    decision_maker_title: str = ""
    disclosure_log_url: str = ""
    salutation: str = "Dear {name},"
    salutation_unnamed: str = "Dear Sir or Madam,"
    valediction: str = "Yours sincerely,"
    signatories: tuple[Signatory, ...] = ()
    review_suffix: str = "-IR"
    complaint_suffix: str = "-DPC"
    # The languages it answers in, its working language first; and whether the Welsh
    # Language Standards bind it (a bilingual statement in every message to the public,
    # Welsh first when its compliance notice says so).
    languages: tuple[str, ...] = ("en",)
    welsh_language_standards: bool = False
    welsh_first: bool = False
    welsh_name: str = ""  # "Cyngor Sir Enghraifft"; the English name when not given

    @property
    def name_cy(self) -> str:
        """The authority's name in a Welsh letter."""
        return self.welsh_name or self.name

    def signatory(self, regime: str) -> Signatory:
        """Who signs a letter on a case under `regime` (a review: under its own regime
        first, then its original's)."""
        base = regime.removesuffix("-review")
        base = "sar" if base == "dp-complaint" else base
        for wanted in (regime, base):
            for signatory in self.signatories:
                if not signatory.regimes or wanted in signatory.regimes:
                    return signatory
        if self.decision_maker_title or self.decision_maker_name != \
                "Freedom of Information Decision Maker":
            return Signatory(self.decision_maker_name, self.decision_maker_title)
        return Signatory("Freedom of Information Team")

    @property
    def decision_maker(self) -> str:
        """As a letter names them: "A. Decider, FOI Decision Maker", or "our Freedom of
        Information Decision Maker" when no one is named."""
        if self.decision_maker_name == "Freedom of Information Decision Maker":
            return f"our {self.decision_maker_name}"
        title = f", {self.decision_maker_title}" if self.decision_maker_title else ""
        return f"{self.decision_maker_name}{title}"

    def greeting(self, name: str | None) -> str:
        """"Dear Jane Smith," or, with no name, "Dear Sir or Madam,"."""
        name = (name or "").strip()
        return self.salutation.format(name=name) if name else self.salutation_unnamed


@dataclass(frozen=True)
class IntakeSettings:
    authority: AuthorityView
    reference_format: ReferenceFormat
    deadlines: DeadlinePolicy
    triage: TriagePolicy
    renderer: Renderer
    routing: tuple[RoutingRule, ...] = ()
    internal_due_working_days: int = 10
    size_limit: int = 50 * 1024 * 1024
    attach_limit: int = 5 * 1024 * 1024  # a notice names a larger original, never attaches it
    processed_folder: str = "the mailbox's processed folder"  # where filed mail is kept
    quarantine_folder: str = "the mailbox's quarantine folder"
    auto_replies_per_day: int = 5  # per address: the backstop against mail loops
    send_budget_seconds: float = 300.0  # a poll drains the outbox for at most this long
    max_send: int | None = None  # and sends at most this many (None: all it can)
    mailbox_key: str = "default"
    chase: ChaseSettings | None = None  # to reroute a chase when an owner is away
    responses: ResponseSettings | None = None  # to act on reviewers' decisions by email

    @property
    def team_address(self) -> str:
        return self.authority.team_address or self.authority.foi_address

    @property
    def domain(self) -> str:
        return self.authority.foi_address.rsplit("@", 1)[-1]


@dataclass
class Outcome:
    """What happened to one message."""

    provider_id: str
    decision: str
    reason: str
    reference: str | None = None
    registered: bool = False


@dataclass
class BatchReport:
    outcomes: list[Outcome] = field(default_factory=list)

    def counts(self) -> Counter[str]:
        return Counter(o.decision for o in self.outcomes)

    @property
    def registered(self) -> list[str]:
        return [o.reference for o in self.outcomes if o.registered and o.reference]


@dataclass
class IntakeReport:
    """What one intake run did, for the flow's artifact and the CLI."""

    counts: Counter[str] = field(default_factory=Counter)
    registered: list[str] = field(default_factory=list)
    quarantined: int = 0
    moved: int = 0
    sent: int = 0
    send_failures: int = 0
    unknown: int = 0
    resyncs: int = 0


# What each triage decision does with its message, inside the transaction.
Action = Callable[[SqlUnitOfWork, InboundMessage, Triage, IntakeSettings, datetime, datetime],
                  Case | None]
