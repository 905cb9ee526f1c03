"""The provisions each letter cites, per regime: one table that the templates read and a
test checks every rendered letter against, so an EIR letter can never cite FOIA s1(3).

A letter writes a provision as "section 1(3) of the Freedom of Information Act 2000";
`Provision.cited` is that text, and `Provision.short` ("FOIA s1(3)") is how the register
and its explanations name it.
"""

from __future__ import annotations

from dataclasses import dataclass

FOIA = "Freedom of Information Act 2000"
EIR = "Environmental Information Regulations 2004"
FOISA = "Freedom of Information (Scotland) Act 2002"
EIRS = "Environmental Information (Scotland) Regulations 2004"
UK_GDPR = "UK General Data Protection Regulation"
DPA = "Data Protection Act 2018"
CODE = "section 45 Code of Practice (2018)"

INSTRUMENTS = (FOIA, EIR, FOISA, EIRS, UK_GDPR, DPA, CODE)
_SHORT = {FOIA: "FOIA", EIR: "EIR", FOISA: "FOISA", EIRS: "EIRs", UK_GDPR: "UK GDPR",
          DPA: "DPA 2018", CODE: "s45 Code"}


@dataclass(frozen=True)
class Provision:
    instrument: str
    part: str  # "section 1(3)", "regulation 9(4)", "Article 12A", "paragraph 5.4"

    @property
    def cited(self) -> str:
        """As a letter writes it: "section 1(3) of the Freedom of Information Act 2000"."""
        return f"{self.part} of the {self.instrument}"

    @property
    def short(self) -> str:
        abbreviated = (self.part.replace("section ", "s").replace("regulation ", "reg ")
                       .replace("Article ", "art. ").replace("paragraph ", "para "))
        return f"{_SHORT[self.instrument]} {abbreviated}"

    def __str__(self) -> str:
        return self.cited


def _p(instrument: str, *parts: str) -> tuple[Provision, ...]:
    return tuple(Provision(instrument, part) for part in parts)


@dataclass(frozen=True)
class RegimeLaw:
    """What a regime's letters cite, each job to its provision (None: no such thing)."""

    instrument: str  # the law the request is dealt with under
    name: str  # how a letter names it: "the Freedom of Information Act 2000"
    time_limit: Provision
    clarification: Provision
    restart: Provision  # how a clarification (or information asked for) moves the clock
    fee: Provision | None
    fee_paid: Provision | None
    extension: Provision | None
    refusal: Provision
    review: Provision  # the right to ask the authority to look again
    review_time_limit: Provision  # how long the authority has for that
    regulator: Provision  # the right to go to the Commissioner
    complaint_to_controller: Provision | None = None  # subject access: DPA 2018 s164A
    exceptions: Provision | None = None  # the EIR: exceptions only in the public interest


LAW: dict[str, RegimeLaw] = {
    "foia": RegimeLaw(
        FOIA, f"the {FOIA}",
        time_limit=Provision(FOIA, "section 10(1)"),
        clarification=Provision(FOIA, "section 1(3)"),
        restart=Provision(FOIA, "section 1(3)"),
        fee=Provision(FOIA, "section 9"),
        fee_paid=Provision(FOIA, "section 10(2)"),
        extension=Provision(FOIA, "section 10(3)"),
        refusal=Provision(FOIA, "section 17"),
        review=Provision(CODE, "paragraph 5.4"),
        review_time_limit=Provision(CODE, "paragraph 5.4"),
        regulator=Provision(FOIA, "section 50"),
    ),
    "eir": RegimeLaw(
        EIR, f"the {EIR}",
        time_limit=Provision(EIR, "regulation 5(2)"),
        clarification=Provision(EIR, "regulation 9(2)"),
        restart=Provision(EIR, "regulation 9(4)"),
        fee=Provision(EIR, "regulation 8"),
        fee_paid=Provision(EIR, "regulation 8"),
        extension=Provision(EIR, "regulation 7(1)"),
        refusal=Provision(EIR, "regulation 14"),
        review=Provision(EIR, "regulation 11"),
        review_time_limit=Provision(EIR, "regulation 11(4)"),
        regulator=Provision(EIR, "regulation 18"),
        exceptions=Provision(EIR, "regulation 12"),
    ),
    "foisa": RegimeLaw(
        FOISA, f"the {FOISA}",
        time_limit=Provision(FOISA, "section 10(1)"),
        clarification=Provision(FOISA, "section 1(3)"),
        restart=Provision(FOISA, "section 1(3)"),
        fee=Provision(FOISA, "section 9"),
        fee_paid=Provision(FOISA, "section 10(2)"),
        extension=None,  # FOISA has no extension of the 20 working days
        refusal=Provision(FOISA, "section 16"),
        review=Provision(FOISA, "section 20"),
        review_time_limit=Provision(FOISA, "section 21(1)"),
        regulator=Provision(FOISA, "section 47"),
    ),
    "eirs": RegimeLaw(
        EIRS, f"the {EIRS}",
        time_limit=Provision(EIRS, "regulation 5(2)"),
        clarification=Provision(EIRS, "regulation 9(2)"),
        restart=Provision(EIRS, "regulation 9(4)"),
        fee=Provision(EIRS, "regulation 8"),
        fee_paid=Provision(EIRS, "regulation 8"),
        extension=Provision(EIRS, "regulation 7(1)"),
        refusal=Provision(EIRS, "regulation 13"),
        review=Provision(EIRS, "regulation 16"),
        review_time_limit=Provision(EIRS, "regulation 16(4)"),
        regulator=Provision(EIRS, "regulation 17"),
        exceptions=Provision(EIRS, "regulation 10"),
    ),
    "sar": RegimeLaw(
        UK_GDPR, f"Article 15 of the {UK_GDPR}",
        time_limit=Provision(UK_GDPR, "Article 12(3)"),
        clarification=Provision(UK_GDPR, "Article 12A"),
        restart=Provision(UK_GDPR, "Article 12A"),
        fee=None,
        fee_paid=None,
        extension=Provision(UK_GDPR, "Article 12(3)"),
        refusal=Provision(UK_GDPR, "Article 12(4)"),
        review=Provision(DPA, "section 164A"),
        review_time_limit=Provision(DPA, "section 164A(3)"),
        regulator=Provision(UK_GDPR, "Article 77"),
        complaint_to_controller=Provision(DPA, "section 164A"),
    ),
}
# A review (or complaint) is dealt with under its original's law.
for _review, _of in (("foia-review", "foia"), ("eir-review", "eir"),
                     ("foisa-review", "foisa"), ("eirs-review", "eirs"),
                     ("dp-complaint", "sar")):
    LAW[_review] = LAW[_of]
# The Commissioners' investigations: correspondence with the regulator, no letter to cite.
LAW["ico-complaint"] = LAW["foia"]
LAW["sic-complaint"] = LAW["foisa"]

# The provisions each letter must cite, per regime: the test's table. A letter cites
# these and no provision of another instrument.
LETTERS: dict[str, tuple[str, ...]] = {
    "acknowledgement": ("time_limit",),
    "clock_clarification": ("clarification", "restart"),
    "clarification_received": ("restart",),
    "clock_identity": ("restart",),
    "clock_fee_notice": ("fee", "fee_paid"),
    "clock_fee_paid": ("fee_paid",),
    "clock_extension": ("extension",),
    "refusal": ("refusal", "review", "regulator"),
    "review_acknowledgement": ("review_time_limit",),
    "review_outcome": ("review", "regulator"),
}


def law_of(regime: str) -> RegimeLaw:
    """The law a case under `regime` is dealt with under."""
    try:
        return LAW[regime]
    except KeyError:
        raise ValueError(f"no law table for regime {regime!r}") from None


def cited_in(letter: str, regime: str) -> tuple[Provision, ...]:
    """The provisions `letter` cites for a case under `regime`."""
    law = law_of(regime)
    found = [getattr(law, job) for job in LETTERS[letter]]
    if letter == "refusal":
        found += [law.exceptions, law.complaint_to_controller]
    return tuple(dict.fromkeys(p for p in found if p is not None))
