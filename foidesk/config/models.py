"""The shape of `foidesk.toml`, validated by pydantic.

Secrets never live in the file: a password or client secret is a `SecretRef`
that names an environment variable or a Prefect Secret block.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from foidesk.calendar import HolidayOverrides, ReceiptRule, Regime
from foidesk.references import ReferenceFormat, ReferenceFormatError, SequenceScope


def _bounded_int(low: int, high: int) -> Any:
    """An int within [low, high], with one message for every way of getting it wrong."""

    def check(value: Any) -> int:
        ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
        if not ok:
            raise PydanticCustomError(
                "bounded_int",
                "must be an integer between {low} and {high}, got {got}",
                {"low": low, "high": high, "got": _shown(value)},
            )
        return value

    return Annotated[int, BeforeValidator(check)]


def _shown(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


Port = _bounded_int(1, 65535)
WorkingDays = _bounded_int(0, 60)


class Section(BaseModel):
    """Every section refuses keys it does not know, so a typo is an error, not a silent default."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SecretRef(Section):
    """Where a secret lives: `{ env = "NAME" }` or `{ prefect_secret = "block-name" }`."""

    env: str | None = None
    prefect_secret: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _not_a_literal_secret(cls, value: Any) -> Any:
        if isinstance(value, str):
            raise PydanticCustomError(
                "literal_secret",
                "secrets never go in the config file: write {example}",
                {"example": '{ env = "VARIABLE_NAME" } or { prefect_secret = "block-name" }'},
            )
        return value

    @model_validator(mode="after")
    def _exactly_one(self) -> SecretRef:
        if (self.env is None) == (self.prefect_secret is None):
            raise ValueError("give exactly one of env or prefect_secret")
        return self

    def describe(self) -> str:
        return f"env:{self.env}" if self.env else f"prefect-secret:{self.prefect_secret}"


class DecisionMaker(Section):
    name: str
    title: str = ""
    email: EmailStr | None = None


KEY_PATTERN = r"^[a-z][a-z0-9-]{0,29}$"  # a Prefect deployment and artifact key part


class Authority(Section):
    name: str
    # A short name that keeps this authority's deployments and dashboards apart when one
    # Prefect server serves several authorities (a shared service): "norfolk".
    key: str = Field(default="", pattern=r"^$|" + KEY_PATTERN)
    postal_address: str = ""
    foi_address: EmailStr
    decision_maker: DecisionMaker | None = None
    disclosure_log_url: str = ""
    jurisdiction: Literal["england-wales", "northern-ireland", "scotland"] = "england-wales"
    internal_domains: list[str] = Field(default_factory=list)
    team_address: EmailStr | None = None  # where FOI officers get tasks; default foi_address
    # FOI officers who may answer a triage notice (REGISTER, NOT FOI, LINK); the team
    # address itself always may.
    team_members: list[EmailStr] = Field(default_factory=list)
    # The languages the authority answers in, its working language first: ["en", "cy"]
    # answers a request written in Welsh in Welsh.
    languages: list[Literal["en", "cy"]] = Field(default_factory=lambda: ["en"], min_length=1)
    # Bound by the Welsh Language Standards (its compliance notice): every message to the
    # public says, in Welsh and English, that correspondence in Welsh is welcome.
    welsh_language_standards: bool = False
    # The compliance notice asks for Welsh first: the statement's Welsh comes first.
    welsh_first: bool = False
    welsh_name: str = ""  # its name in Welsh letters: "Cyngor Sir Enghraifft"

    @model_validator(mode="after")
    def _welsh_offered(self) -> Authority:
        if len(set(self.languages)) != len(self.languages):
            raise ValueError("languages: each language once")
        if self.welsh_language_standards and "cy" not in self.languages:
            raise ValueError('welsh_language_standards = true needs "cy" in languages '
                             '(the Standards require answering Welsh in Welsh)')
        return self

    @property
    def default_regime(self) -> Regime:
        """FOISA for a Scottish public authority, FOIA elsewhere."""
        return Regime.FOISA if self.jurisdiction == "scotland" else Regime.FOIA


class ReferenceSettings(Section):
    format: str = "FOI {seq:06d}/{yy}"
    sequence: SequenceScope = SequenceScope.PER_YEAR
    # Added to a case's reference for its internal review, and for a data protection
    # complaint about a subject access request: FOI 000001/26-IR.
    review_suffix: str = Field(default="-IR", min_length=1, max_length=10)
    complaint_suffix: str = Field(default="-DPC", min_length=1, max_length=10)

    @field_validator("format")
    @classmethod
    def _renders(cls, template: str) -> str:
        try:
            ReferenceFormat(template, SequenceScope.CONTINUOUS)
        except ReferenceFormatError as error:
            raise ValueError(str(error)) from None
        return template

    @model_validator(mode="after")
    def _year_in_per_year_format(self) -> ReferenceSettings:
        try:
            self.reference_format()
        except ReferenceFormatError as error:
            raise ValueError(f"sequence = \"{self.sequence.value}\": format {error}") from None
        return self

    def reference_format(self) -> ReferenceFormat:
        return ReferenceFormat(self.format, self.sequence)


class AddedHoliday(Section):
    date: date
    name: str = "Bank holiday (config)"


class CalendarSettings(Section):
    receipt_rule: ReceiptRule = ReceiptRule.ICO
    add_holidays: list[AddedHoliday] = Field(default_factory=list)
    remove_holidays: list[date] = Field(default_factory=list)

    def overrides(self) -> HolidayOverrides:
        return HolidayOverrides(
            add={h.date: h.name for h in self.add_holidays},
            remove=frozenset(self.remove_holidays),
        )


class DatabaseSettings(Section):
    url: str = "sqlite:///var/foidesk.db"

    @field_validator("url")
    @classmethod
    def _known_backend(cls, url: str) -> str:
        if not re.match(r"^(sqlite|postgresql|postgres)(\+\w+)?://", url):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return url


Security = Literal["tls", "starttls", "plain"]


class ImapMailbox(Section):
    kind: Literal["imap"]
    host: str
    port: Port = 993
    security: Security = "tls"
    verify_certificate: bool = True
    username: str
    auth: Literal["password", "xoauth2"] = "password"
    password: SecretRef | None = None
    tenant_id: str | None = None
    client_id: str | None = None
    client_secret: SecretRef | None = None
    folder: str = "INBOX"
    processed_folder: str = "FOI/Processed"
    quarantine_folder: str = "FOI/Quarantine"
    batch_size: _bounded_int(1, 5000) = 200  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _credentials(self) -> ImapMailbox:
        if self.auth == "password" and self.password is None:
            raise ValueError("auth = \"password\" needs password = { env = \"...\" }")
        oauth_ready = self.tenant_id and self.client_id and self.client_secret
        if self.auth == "xoauth2" and not oauth_ready:
            raise ValueError("auth = \"xoauth2\" needs tenant_id, client_id and client_secret")
        return self


class GraphAccount(Section):
    """A Microsoft 365 mailbox reached through Graph with client credentials."""

    tenant_id: str
    client_id: str
    client_secret: SecretRef
    mailbox: EmailStr


class EwsAccount(Section):
    """An Exchange Server (on premises) mailbox reached through EWS."""

    server: str | None = None  # None: autodiscover
    username: str
    password: SecretRef
    primary_smtp_address: EmailStr
    auth: Literal["ntlm", "basic"] = "ntlm"


class ExchangeFolders(Section):
    """Where an Exchange or Microsoft 365 mailbox keeps new, processed and quarantined mail."""

    folder: str = "Inbox"
    processed_folder: str = "FOI/Processed"
    quarantine_folder: str = "FOI/Quarantine"
    batch_size: _bounded_int(1, 1000) = 100  # type: ignore[valid-type]


class GraphMailbox(GraphAccount, ExchangeFolders):
    kind: Literal["graph"]


class EwsMailbox(EwsAccount, ExchangeFolders):
    kind: Literal["ews"]


class MaildirMailbox(Section):
    kind: Literal["maildir"]
    path: str = "var/mailbox"
    processed_folder: str = "FOI.Processed"
    quarantine_folder: str = "FOI.Quarantine"
    batch_size: _bounded_int(1, 5000) = 200  # type: ignore[valid-type]


Mailbox = Annotated[
    ImapMailbox | GraphMailbox | EwsMailbox | MaildirMailbox, Field(discriminator="kind")
]


class SmtpSender(Section):
    kind: Literal["smtp"]
    host: str
    port: Port = 587
    security: Security = "starttls"
    verify_certificate: bool = True
    username: str | None = None
    password: SecretRef | None = None

    @model_validator(mode="after")
    def _password_with_username(self) -> SmtpSender:
        if self.username and self.password is None:
            raise ValueError("username is set, so password = { env = \"...\" } is needed")
        return self


class GraphSender(GraphAccount):
    kind: Literal["graph"]


class EwsSender(EwsAccount):
    kind: Literal["ews"]


class MaildirSender(Section):
    """Writes each outgoing message into an outbox Maildir: the demo's, or a dry run."""

    kind: Literal["maildir"]
    path: str = "var/outbox"


Sender = Annotated[
    SmtpSender | GraphSender | EwsSender | MaildirSender, Field(discriminator="kind")
]


class RoutingRule(Section):
    """Requests matching any keyword or the pattern go to this owner (and deputy)."""

    name: str
    keywords: list[str] = Field(default_factory=list)
    pattern: str | None = None
    owner: EmailStr
    deputy: EmailStr | None = None

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"is not a valid regular expression ({error})") from None
        return pattern

    @model_validator(mode="after")
    def _matches_something(self) -> RoutingRule:
        if not self.keywords and not self.pattern:
            raise ValueError("needs keywords or a pattern, or it can never match")
        return self


class ChaseSettings(Section):
    internal_due_working_days: WorkingDays = 10
    remind_before_days: WorkingDays = 2
    remind_on_due_day: bool = True
    repeat_every_days: _bounded_int(1, 20) = 2  # type: ignore[valid-type]
    clarification_lapse_months: _bounded_int(1, 12) = 3  # type: ignore[valid-type]


class EscalationSettings(Section):
    deputy_after_missed_internal_due: bool = True
    manager: EmailStr | None = None
    manager_when_working_days_left: WorkingDays = 5
    head_of_service: EmailStr | None = None


class Reviewer(Section):
    name: str
    email: EmailStr
    regimes: list[Regime] = Field(default_factory=lambda: list(Regime))


class ReviewSettings(Section):
    """How a reviewer's emailed APPROVE/REJECT is trusted."""

    trusted_relays: list[str] = Field(default_factory=list)  # host names in Received headers


class IntakeSettings(Section):
    size_limit_mb: _bounded_int(1, 1024) = 50  # type: ignore[valid-type]
    auto_replies_per_address_per_day: _bounded_int(1, 100) = 5  # type: ignore[valid-type]
    attach_limit_mb: _bounded_int(0, 100) = 5  # type: ignore[valid-type]
    # A poll sends everything it queued, spending at most this long sending; what is left
    # waits for the next poll. max_send_per_poll caps what a poll sends (default: no cap).
    send_budget_minutes: _bounded_int(1, 60) = 5  # type: ignore[valid-type]
    max_send_per_poll: _bounded_int(1, 1_000_000) | None = None  # type: ignore[valid-type]


class Signatory(Section):
    """Who signs letters: their name and role, for the regimes listed (default: all)."""

    name: str
    role: str = ""
    regimes: list[Regime] = Field(default_factory=list)


class LetterSettings(Section):
    """How letters greet and sign off."""

    salutation: str = "Dear {name},"
    salutation_unnamed: str = "Dear Sir or Madam,"
    valediction: str = "Yours sincerely,"
    signatories: list[Signatory] = Field(default_factory=list)

    @field_validator("salutation")
    @classmethod
    def _names_only_the_requester(cls, template: str) -> str:
        try:
            template.format(name="Jane Smith")
        except (KeyError, IndexError, ValueError):
            raise ValueError('may use only {name}, e.g. "Dear {name},"') from None
        if "{name}" not in template:
            raise ValueError('must contain {name} (the greeting without a name is '
                             'salutation_unnamed)')
        return template


class ReleaseSettings(Section):
    """The documents a response releases."""

    # Released files above this go in further emails (each threaded on the response).
    attachment_budget_mb: _bounded_int(1, 100) = 15  # type: ignore[valid-type]


class DeploymentSettings(Section):
    """How `foidesk deployments` lays this desk out on a Prefect server."""

    # The intake schedule: the poll itself, or the fallback when `watch` is on.
    poll_every_seconds: _bounded_int(10, 86400) = 120  # type: ignore[valid-type]
    # One long-running watch per mailbox (IMAP IDLE, Graph delta) that starts a flow run
    # only when mail arrives; polling then runs every `fallback_poll_every_seconds`.
    watch: bool = False
    fallback_poll_every_seconds: _bounded_int(60, 86400) = 1800  # type: ignore[valid-type]
    # Prefect global concurrency limits: sessions at once to one mail server or tenant,
    # shared by every mailbox and authority that uses it. Turn on once the limits exist
    # (`foidesk deployments --setup` writes the commands that create them).
    concurrency_limits: bool = False
    mail_server_sessions: _bounded_int(1, 100) = 4  # type: ignore[valid-type]
    relay_sessions: _bounded_int(1, 100) = 2  # type: ignore[valid-type]


class TemplateSettings(Section):
    override_dir: str | None = None


class Settings(Section):
    """The whole of `foidesk.toml`."""

    authority: Authority
    reference: ReferenceSettings = Field(default_factory=ReferenceSettings)
    calendar: CalendarSettings = Field(default_factory=CalendarSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    mailbox: Mailbox | None = None
    # Further FOI mailboxes of the same authority, by name: [mailboxes.environment].
    mailboxes: dict[str, Mailbox] = Field(default_factory=dict)
    sender: Sender | None = None
    routing: list[RoutingRule] = Field(default_factory=list)
    chase: ChaseSettings = Field(default_factory=ChaseSettings)
    escalation: EscalationSettings = Field(default_factory=EscalationSettings)
    reviewers: list[Reviewer] = Field(default_factory=list)
    review: ReviewSettings = Field(default_factory=ReviewSettings)
    intake: IntakeSettings = Field(default_factory=IntakeSettings)
    templates: TemplateSettings = Field(default_factory=TemplateSettings)
    letters: LetterSettings = Field(default_factory=LetterSettings)
    release: ReleaseSettings = Field(default_factory=ReleaseSettings)
    deployment: DeploymentSettings = Field(default_factory=DeploymentSettings)

    @field_validator("mailboxes")
    @classmethod
    def _mailbox_names(cls, boxes: dict[str, Any]) -> dict[str, Any]:
        for name in boxes:
            if not re.match(KEY_PATTERN, name):
                raise ValueError(f'"{name}" is not a mailbox name: use lower-case letters, '
                                 "digits and hyphens, starting with a letter")
        return boxes

    def mailbox_names(self) -> list[str | None]:
        """None for `[mailbox]`, then each of `[mailboxes.NAME]`."""
        return ([None] if self.mailbox else []) + list(self.mailboxes)

    def for_mailbox(self, name: str | None) -> Settings:
        """This desk as seen from one of its mailboxes: `[mailboxes.NAME]` becomes `mailbox`.
        Everything else (the register, references, sender) is the authority's own."""
        if not name:
            return self
        if name not in self.mailboxes:
            known = ", ".join(sorted(self.mailboxes)) or "none"
            raise ValueError(f'mailboxes: no mailbox named "{name}" (configured: {known})')
        return self.model_copy(update={"mailbox": self.mailboxes[name]})
