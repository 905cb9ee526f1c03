"""The statutory regimes and their time limits, each beside the law that sets it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from foidesk.calendar.workdays import HolidayScope


class Regime(StrEnum):
    FOIA = "foia"
    EIR = "eir"
    FOISA = "foisa"
    FOIA_REVIEW = "foia-review"
    EIR_REVIEW = "eir-review"
    FOISA_REVIEW = "foisa-review"
    EIRS = "eirs"  # the Environmental Information (Scotland) Regulations 2004
    EIRS_REVIEW = "eirs-review"
    SAR = "sar"
    DP_COMPLAINT = "dp-complaint"  # a data protection complaint to the controller (DPA s164A)
    ICO_COMPLAINT = "ico-complaint"  # the Information Commissioner's investigation of a case
    SIC_COMPLAINT = "sic-complaint"  # the Scottish Information Commissioner's


class Kind(StrEnum):
    """What a case is: a request, a review of one, or a complaint about one."""

    REQUEST = "request"
    REVIEW = "review"
    DP_COMPLAINT = "dp-complaint"
    REGULATOR = "regulator"


# Which kind of case each regime's cases are.
KIND_OF: dict[str, Kind] = {
    "foia": Kind.REQUEST, "eir": Kind.REQUEST, "foisa": Kind.REQUEST, "eirs": Kind.REQUEST,
    "sar": Kind.REQUEST, "foia-review": Kind.REVIEW, "eir-review": Kind.REVIEW,
    "foisa-review": Kind.REVIEW, "eirs-review": Kind.REVIEW, "dp-complaint": Kind.DP_COMPLAINT,
    "ico-complaint": Kind.REGULATOR, "sic-complaint": Kind.REGULATOR,
}

# The regime of an internal review (or, for subject access, a complaint to the controller
# under DPA s164A) of a case under each regime.
REVIEW_REGIME: dict[str, str] = {
    "foia": "foia-review", "eir": "eir-review", "foisa": "foisa-review",
    "eirs": "eirs-review", "sar": "dp-complaint",
}

# The regulator that investigates a complaint about a case under each regime.
REGULATOR_REGIME: dict[str, str] = {
    "foia": "ico-complaint", "eir": "ico-complaint", "sar": "ico-complaint",
    "foisa": "sic-complaint", "eirs": "sic-complaint",
}


class Extension(StrEnum):
    """A lawful extension of the time limit."""

    PIT = "pit"  # FOIA s10(3): time to consider the public interest
    COMPLEX = "complex"  # EIR reg 7(1), review under the s45 Code, SAR art. 12(3)


class ReceiptRule(StrEnum):
    """Which day is day 0 when a request arrives on a non-working day.

    ICO guidance: the day of receipt is day 0 whatever day it is, and the first
    working day after it is day 1. The s45 Code of Practice (2018) para 4.2
    instead treats a request received on a non-working day as received on the
    next working day; an authority that follows the Code chooses `code-2018`.
    """

    ICO = "ico"
    CODE_2018 = "code-2018"


@dataclass(frozen=True)
class RegimeRule:
    """How long an authority has under one regime, and what may change that."""

    regime: Regime
    title: str
    citation: str
    scope: HolidayScope
    working_days: int | None = None  # None for calendar-month regimes
    months: int | None = None
    calendar_days: int | None = None  # a period of days counted on the calendar
    extensions: dict[Extension, int] | None = None  # extension -> extra days or months
    fee_pause: bool = False
    fee_citation: str = ""
    extension_citations: dict[Extension, str] | None = None

    def extra_for(self, extension: Extension) -> int:
        """Extra working days (or months) the extension allows; ValueError if not lawful here."""
        allowed = self.extensions or {}
        if extension not in allowed:
            lawful = ", ".join(sorted(allowed)) or "none"
            raise ValueError(
                f"{self.regime.value} allows no '{extension.value}' extension "
                f"(lawful here: {lawful})"
            )
        return allowed[extension]


RULES: dict[Regime, RegimeRule] = {
    Regime.FOIA: RegimeRule(
        regime=Regime.FOIA,
        title="Freedom of Information Act 2000",
        citation=(
            "FOIA s10(1): comply promptly and in any event not later than the twentieth "
            "working day following the date of receipt"
        ),
        scope=HolidayScope.UK,
        working_days=20,
        extensions={Extension.PIT: 20},
        extension_citations={
            Extension.PIT: (
                "FOIA s10(3): such time as is reasonable to consider the public interest; "
                "the ICO accepts at most 20 further working days"
            )
        },
        fee_pause=True,
        fee_citation=(
            "FOIA s9(2), s10(2): working days from the day the fees notice is given to the "
            "day the fee is received are disregarded"
        ),
    ),
    Regime.EIR: RegimeRule(
        regime=Regime.EIR,
        title="Environmental Information Regulations 2004",
        citation=(
            "EIR reg 5(2): as soon as possible and no later than 20 working days after the "
            "date of receipt of the request"
        ),
        scope=HolidayScope.UK,
        working_days=20,
        extensions={Extension.COMPLEX: 20},
        extension_citations={
            Extension.COMPLEX: (
                "EIR reg 7(1): 40 working days where the complexity and volume of the "
                "information requested make it impracticable to comply within 20"
            )
        },
        fee_pause=True,
        fee_citation=(
            "EIR reg 8: where a charge is payable in advance, the days from the notice to "
            "payment are disregarded"
        ),
    ),
    Regime.FOISA: RegimeRule(
        regime=Regime.FOISA,
        title="Freedom of Information (Scotland) Act 2002",
        citation=(
            "FOISA s10(1): promptly and in any event by the twentieth working day after "
            "receipt; s73: working days exclude Scottish bank holidays only"
        ),
        scope=HolidayScope.SCOTLAND,
        working_days=20,
        fee_pause=True,
        fee_citation=(
            "FOISA s9(3), s10(2): the period between the fees notice and payment does not count"
        ),
    ),
    Regime.FOIA_REVIEW: RegimeRule(
        regime=Regime.FOIA_REVIEW,
        title="FOIA internal review",
        citation=(
            "s45 Code of Practice (2018) para 5.4: internal reviews should be completed "
            "within 20 working days of receipt"
        ),
        scope=HolidayScope.UK,
        working_days=20,
        extensions={Extension.COMPLEX: 20},
        extension_citations={
            Extension.COMPLEX: (
                "s45 Code para 5.4 / ICO guidance: no more than 40 working days in "
                "exceptional cases"
            )
        },
    ),
    Regime.EIR_REVIEW: RegimeRule(
        regime=Regime.EIR_REVIEW,
        title="EIR reconsideration",
        citation=(
            "EIR reg 11(4): as soon as possible and no later than 40 working days after the "
            "date of receipt of the representations"
        ),
        scope=HolidayScope.UK,
        working_days=40,
    ),
    Regime.FOISA_REVIEW: RegimeRule(
        regime=Regime.FOISA_REVIEW,
        title="FOISA review",
        citation=(
            "FOISA s21(1): not later than the twentieth working day after receipt of the "
            "requirement for review"
        ),
        scope=HolidayScope.SCOTLAND,
        working_days=20,
    ),
    Regime.EIRS: RegimeRule(
        regime=Regime.EIRS,
        title="Environmental Information (Scotland) Regulations 2004",
        citation=(
            "EIRs reg 5(2)(a): as soon as possible and no later than 20 working days after "
            "the date of receipt of the request; working days exclude Scottish bank holidays"
        ),
        scope=HolidayScope.SCOTLAND,
        working_days=20,
        extensions={Extension.COMPLEX: 20},
        extension_citations={
            Extension.COMPLEX: (
                "EIRs reg 7(1): 40 working days where the volume and complexity of the "
                "information requested make it impracticable to comply within 20"
            )
        },
        fee_pause=True,
        fee_citation="EIRs reg 8(6): the period from the charge's notice to its payment is "
                     "disregarded",
    ),
    Regime.EIRS_REVIEW: RegimeRule(
        regime=Regime.EIRS_REVIEW,
        title="EIRs review",
        citation=(
            "EIRs reg 16(4): as soon as possible and no later than 20 working days after the "
            "date of receipt of the representations"
        ),
        scope=HolidayScope.SCOTLAND,
        working_days=20,
    ),
    Regime.DP_COMPLAINT: RegimeRule(
        regime=Regime.DP_COMPLAINT,
        title="data protection complaint to the controller",
        citation=(
            "DPA 2018 s164A(3): acknowledge within 30 days beginning with the day of receipt, "
            "then respond and give the outcome without undue delay"
        ),
        scope=HolidayScope.UK,
        calendar_days=30,
    ),
    Regime.ICO_COMPLAINT: RegimeRule(
        regime=Regime.ICO_COMPLAINT,
        title="Information Commissioner's investigation",
        citation=(
            "FOIA s50 (and EIR reg 18, DPA 2018 s165): the Commissioner's letter sets the date "
            "to respond by; 20 working days when it sets none"
        ),
        scope=HolidayScope.UK,
        working_days=20,
    ),
    Regime.SIC_COMPLAINT: RegimeRule(
        regime=Regime.SIC_COMPLAINT,
        title="Scottish Information Commissioner's investigation",
        citation=(
            "FOISA s47, s49 (and EIRs reg 17): the Commissioner's letter sets the date to "
            "respond by; 20 working days when it sets none"
        ),
        scope=HolidayScope.SCOTLAND,
        working_days=20,
    ),
    Regime.SAR: RegimeRule(
        regime=Regime.SAR,
        title="UK GDPR subject access request",
        citation=(
            "UK GDPR art. 12(3): without undue delay and in any event within one month of "
            "receipt; ICO guidance: the corresponding date next month, the last day of that "
            "month if there is none, and the next working day if that is not one"
        ),
        scope=HolidayScope.UK,
        months=1,
        extensions={Extension.COMPLEX: 2},
        extension_citations={
            Extension.COMPLEX: (
                "UK GDPR art. 12(3): extended by two further months where necessary, taking "
                "into account the complexity and number of the requests"
            )
        },
    ),
}


def rule_for(regime: Regime | str) -> RegimeRule:
    """The rule of a regime, from its enum or its name ("foia", "eir-review", ...)."""
    try:
        return RULES[Regime(regime)]
    except ValueError:
        names = ", ".join(r.value for r in Regime)
        raise ValueError(f"unknown regime {regime!r} (known: {names})") from None
