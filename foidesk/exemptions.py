"""The exemptions library, as data: FOIA Part II (s21-s44) and EIR regs 12 and 13; FOISA
Part 2 (s25-s41) and the EIR (Scotland) regs 10 and 11, which number differently (FOISA
s31 is national security, s35 law enforcement).

Each entry says what s17 requires a refusal to state: which exemption, whether it
is absolute or qualified (a public interest test), whether it is prejudice-based
(the harm must be articulated) or class-based, and standard paragraphs an officer
adapts, as in the seed letter's s24 and s31 text. `{authority}` is filled in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Exemption:
    code: str  # "s31", "reg 12(5)(b)"
    title: str
    regime: str  # "foia" | "eir" | "foisa" | "eirs"
    absolute: bool
    prejudice_based: bool
    harm: str = ""
    favouring: str = ""
    against: str = ""
    balance: str = ""

    @property
    def kind(self) -> str:
        test = "prejudice based" if self.prejudice_based else "class based"
        return f"{test} {'absolute' if self.absolute else 'qualified'} exemption"


HARM_GENERIC = (
    "Any disclosure under the Act is a release to the public at large and not only to the "
    "person requesting the information. Disclosure would be likely to prejudice {what}."
)
FAVOURING_GENERIC = (
    "There is a general public interest in openness and accountability, and in the public "
    "understanding how {authority} carries out its functions."
)
BALANCE_GENERIC = (
    "Having weighed the factors, {authority} has concluded that the public interest in "
    "maintaining the exemption outweighs the public interest in disclosure."
)


def _qualified(code: str, title: str, what: str, against: str, *, regime: str = "foia",
               prejudice: bool = True) -> Exemption:
    return Exemption(
        code=code, title=title, regime=regime, absolute=False, prejudice_based=prejudice,
        harm=HARM_GENERIC.replace("{what}", what) if prejudice else "",
        favouring=FAVOURING_GENERIC, against=against, balance=BALANCE_GENERIC,
    )


def _absolute(code: str, title: str, why: str, *, regime: str = "foia") -> Exemption:
    return Exemption(code=code, title=title, regime=regime, absolute=True,
                     prejudice_based=False, harm=why)


LIBRARY: tuple[Exemption, ...] = (
    # Grounds to refuse a whole request (FOIA Part I), cited like exemptions in a refusal.
    _absolute("s12", "Cost of compliance exceeds the appropriate limit",
              "Complying would exceed the appropriate limit set by the Fees Regulations "
              "(18 hours, or 24 for central government). You may wish to narrow your request; "
              "we are happy to help you do so (s16)."),
    _absolute("s14", "Vexatious or repeated request",
              "The request is vexatious, or repeats a request already complied with, within "
              "the meaning of section 14."),
    _absolute("s21", "Information accessible to the applicant by other means",
              "The information is reasonably accessible to you by other means; where it can "
              "be found is given in this response."),
    _qualified("s22", "Information intended for future publication",
               "the orderly publication of the information already planned",
               "Early release would pre-empt a planned publication and could present "
               "incomplete or unchecked information.", prejudice=False),
    _qualified("s22A", "Research", "a continuing programme of research",
               "Disclosure before publication would prejudice the research programme."),
    _absolute("s23", "Information supplied by, or relating to, bodies dealing with security "
                     "matters",
              "The information was supplied by, or relates to, a body listed in section 23(3)."),
    Exemption(
        code="s24", title="National Security", regime="foia", absolute=False,
        prejudice_based=True,
        harm=("Any disclosure under the Act is a release to the public at large. Disclosure "
              "would show those intent on harm the capacity, tactical abilities and "
              "capabilities of {authority}, allowing them to target areas where they believe "
              "their activities would go undetected."),
        favouring=("The public are entitled to know how public funds are spent and what "
                   "security measures are in place, which would lead to a better informed "
                   "public and more accurate public debate."),
        against=("Disclosure would allow inferences about the nature and extent of national "
                 "security related activities, enabling groups to take steps to avoid "
                 "detection, and would render security measures less effective."),
        balance=("The security of the country is of paramount importance. The public "
                 "interest in transparency is outweighed by the need to safeguard national "
                 "security."),
    ),
    _qualified("s26", "Defence", "the defence of the British Islands or the capability, "
               "effectiveness or security of the armed forces",
               "Disclosure would assist those hostile to the UK's defence interests."),
    _qualified("s27", "International relations", "relations between the UK and other States "
               "or international organisations",
               "Disclosure would damage trust and the UK's ability to protect its interests "
               "abroad."),
    _qualified("s28", "Relations within the United Kingdom", "relations between "
               "administrations in the United Kingdom",
               "Disclosure would inhibit candid exchanges between administrations."),
    _qualified("s29", "The economy", "the economic interests of the UK or the financial "
               "interests of any administration in the UK",
               "Disclosure would harm the economic interests the exemption protects."),
    _qualified("s30", "Investigations and proceedings conducted by public authorities",
               "investigations and proceedings",
               "Disclosure would undermine investigations and any proceedings arising from "
               "them.", prejudice=False),
    Exemption(
        code="s31", title="Law Enforcement", regime="foia", absolute=False,
        prejudice_based=True,
        harm=("Disclosure would reveal tactics and capabilities, enabling offenders to take "
              "steps to counter them, and would compromise current and future "
              "investigations, to the detriment of an efficient policing service."),
        favouring=("Disclosure would give the public a better understanding of law "
                   "enforcement tactics and of how evidence is gathered, and there is a "
                   "public interest in accountability where public funds are used to detect "
                   "crime."),
        against=("Disclosure would compromise law enforcement tactics and hinder current or "
                 "future investigations. FOI releases are monitored by those involved in "
                 "criminal activity."),
        balance=("There is a public interest in transparency, but a very strong public "
                 "interest in safeguarding the integrity of investigations and operations. "
                 "The balance lies in maintaining the exemption."),
    ),
    _absolute("s32", "Court records", "The information is held only by virtue of being "
              "contained in a document filed with, or created by, a court or tribunal."),
    _qualified("s33", "Audit functions", "the audit functions of a public authority",
               "Disclosure would prejudice the effectiveness of audit."),
    _absolute("s34", "Parliamentary privilege", "Exemption is required to avoid an "
              "infringement of the privileges of either House of Parliament."),
    _qualified("s35", "Formulation of government policy", "the formulation or development "
               "of government policy",
               "Policy makers need a safe space to consider options frankly.",
               prejudice=False),
    _qualified("s36", "Prejudice to effective conduct of public affairs", "the free and frank "
               "provision of advice or exchange of views, or the effective conduct of public "
               "affairs, in the reasonable opinion of the qualified person",
               "Disclosure would inhibit free and frank advice and deliberation."),
    _qualified("s37", "Communications with His Majesty, etc. and honours",
               "communications with the Royal Family or the conferring of honours",
               "Disclosure would undermine the constitutional conventions that protect such "
               "communications.", prejudice=False),
    _qualified("s38", "Health and Safety", "the physical or mental health or safety of any "
               "individual",
               "Disclosure would be likely to endanger the health or safety of individuals."),
    _qualified("s39", "Environmental information", "",
               "The information is environmental and has been considered under the EIR.",
               prejudice=False),
    _absolute("s40", "Personal information", "The information is personal data of third "
              "parties, and disclosure would contravene the data protection principles "
              "(UK GDPR article 5(1)(a)); or it is the requester's own personal data, "
              "available through a subject access request."),
    _absolute("s41", "Information provided in confidence", "The information was obtained "
              "from another person and its disclosure would be an actionable breach of "
              "confidence."),
    _qualified("s42", "Legal professional privilege", "",
               "There is a strong inherent public interest in protecting the confidentiality "
               "of communications between lawyers and clients.", prejudice=False),
    _qualified("s43", "Commercial interests", "the commercial interests of {authority} or a "
               "third party",
               "Disclosure would harm competitors' and suppliers' commercial positions and the "
               "authority's ability to obtain value for money."),
    _absolute("s44", "Prohibitions on disclosure", "Disclosure is prohibited by or under an "
              "enactment, is incompatible with a retained EU obligation, or would be a "
              "contempt of court."),
    # EIR: every exception is subject to the public interest test and the presumption in
    # favour of disclosure (reg 12(1)-(2)), except personal data under reg 13.
    _qualified("reg 12(4)(a)", "Information not held", "", "", regime="eir", prejudice=False),
    _qualified("reg 12(4)(b)", "Manifestly unreasonable request", "",
               "Complying would impose a manifestly unreasonable burden.", regime="eir",
               prejudice=False),
    _qualified("reg 12(4)(c)", "Request formulated in too general a manner", "",
               "The request is too general to identify the information sought.",
               regime="eir", prejudice=False),
    _qualified("reg 12(4)(d)", "Material in the course of completion", "",
               "Unfinished documents and incomplete data would mislead.", regime="eir",
               prejudice=False),
    _qualified("reg 12(4)(e)", "Internal communications", "",
               "A safe space for internal deliberation is needed.", regime="eir",
               prejudice=False),
    _qualified("reg 12(5)(a)", "International relations, defence, national security or "
               "public safety", "international relations, defence, national security or "
               "public safety", "Disclosure would adversely affect public safety.",
               regime="eir"),
    _qualified("reg 12(5)(b)", "The course of justice and inquiries", "the course of "
               "justice, the ability to obtain a fair trial or to conduct an inquiry",
               "Disclosure would adversely affect the course of justice.", regime="eir"),
    _qualified("reg 12(5)(c)", "Intellectual property rights", "intellectual property rights",
               "Disclosure would infringe intellectual property rights.", regime="eir"),
    _qualified("reg 12(5)(d)", "Confidentiality of proceedings", "the confidentiality of "
               "proceedings", "Disclosure would breach a confidentiality provided by law.",
               regime="eir"),
    _qualified("reg 12(5)(e)", "Commercial or industrial information", "the confidentiality "
               "of commercial or industrial information",
               "Disclosure would harm a legitimate economic interest.", regime="eir"),
    _qualified("reg 12(5)(f)", "Interests of the person who provided the information",
               "the interests of the person who provided the information",
               "The information was volunteered and its provider has not consented.",
               regime="eir"),
    _qualified("reg 12(5)(g)", "Protection of the environment", "the protection of the "
               "environment to which the information relates",
               "Disclosure would put the environment at risk, for example a rare species' "
               "location.", regime="eir"),
    _absolute("reg 13", "Personal data", "The information is third-party personal data and "
              "disclosure would contravene the data protection principles.", regime="eir"),
)

def _foisa(code: str, title: str, what: str, against: str, *, prejudice: bool = True) -> Exemption:
    """FOISA's harm test is "substantial prejudice" (s28-s35, s40)."""
    entry = _qualified(code, title, what, against, regime="foisa", prejudice=prejudice)
    if prejudice:
        entry = Exemption(entry.code, entry.title, entry.regime, False, True,
                          entry.harm.replace("would be likely to prejudice",
                                             "would, or would be likely to, prejudice "
                                             "substantially"),
                          entry.favouring, entry.against, entry.balance)
    return entry


FOISA: tuple[Exemption, ...] = (
    _absolute("s12", "Excessive cost of compliance", "Complying would cost more than the "
              "prescribed amount (£600) under the Fees Regulations.", regime="foisa"),
    _absolute("s14", "Vexatious or repeated request", "The request is vexatious, or repeats "
              "a request already complied with, within the meaning of section 14.",
              regime="foisa"),
    _absolute("s25", "Information otherwise accessible", "The information is reasonably "
              "obtainable by other means; where it can be found is given in this response.",
              regime="foisa"),
    _absolute("s26", "Prohibitions on disclosure", "Disclosure is prohibited by or under an "
              "enactment, is incompatible with a retained EU obligation, or would be a "
              "contempt of court.", regime="foisa"),
    _foisa("s27", "Information intended for future publication", "",
           "Early release would pre-empt a publication planned within 12 weeks.",
           prejudice=False),
    _foisa("s28", "Relations within the United Kingdom", "relations between administrations "
           "in the United Kingdom", "Disclosure would inhibit candid exchanges between "
           "administrations."),
    _foisa("s29", "Formulation of Scottish Administration policy", "",
           "Policy makers need a safe space to consider options frankly.", prejudice=False),
    _foisa("s30", "Prejudice to effective conduct of public affairs", "the free and frank "
           "provision of advice or exchange of views, or the effective conduct of public "
           "affairs", "Disclosure would inhibit free and frank advice and deliberation."),
    _foisa("s31", "National security and defence", "national security or defence",
           "Disclosure would assist those intent on harming national security."),
    _foisa("s32", "International relations", "relations between the UK and other States or "
           "international organisations", "Disclosure would damage trust and the UK's "
           "ability to protect its interests abroad."),
    _foisa("s33", "Commercial interests and the economy", "the commercial interests of "
           "{authority} or a third party, or the economic interests of the UK",
           "Disclosure would harm commercial positions and value for money."),
    _foisa("s34", "Investigations by Scottish public authorities and proceedings arising "
           "out of such investigations", "", "Disclosure would undermine investigations "
           "and any proceedings arising from them.", prejudice=False),
    _foisa("s35", "Law enforcement", "the prevention or detection of crime, the apprehension "
           "or prosecution of offenders, or the administration of justice",
           "Disclosure would compromise law enforcement tactics and hinder current or "
           "future investigations."),
    _foisa("s36(1)", "Confidentiality of communications in legal proceedings", "",
           "There is a strong inherent public interest in protecting legal professional "
           "privilege.", prejudice=False),
    _absolute("s36(2)", "Information provided in confidence", "The information was obtained "
              "from another person and its disclosure would be an actionable breach of "
              "confidence.", regime="foisa"),
    _absolute("s37", "Court records, etc.", "The information is held only by virtue of being "
              "contained in a document lodged with, or created by, a court or inquiry.",
              regime="foisa"),
    _absolute("s38", "Personal information", "The information is personal data of third "
              "parties, and disclosure would contravene the data protection principles; or "
              "it is the requester's own personal data, available through a subject access "
              "request.", regime="foisa"),
    _foisa("s39", "Health, safety and the environment", "the physical or mental health or "
           "safety of an individual", "Disclosure would be likely to endanger health or "
           "safety; environmental information is considered under the EIRs (s39(2))."),
    _foisa("s40", "Audit functions", "the audit functions of a public authority",
           "Disclosure would prejudice the effectiveness of audit."),
    _foisa("s41", "Communications with His Majesty etc. and honours", "",
           "Disclosure would undermine the conventions that protect such communications.",
           prejudice=False),
)


def _scottish(entry: Exemption) -> Exemption:
    """An EIR exception as the EIR (Scotland) number it: reg 12(4) -> 10(4), 13 -> 11."""
    code = entry.code.replace("reg 12(", "reg 10(").replace("reg 13", "reg 11")
    return Exemption(code, entry.title, "eirs", entry.absolute, entry.prejudice_based,
                     entry.harm, entry.favouring, entry.against, entry.balance)


EIRS: tuple[Exemption, ...] = tuple(_scottish(e) for e in LIBRARY if e.regime == "eir")
LIBRARY = LIBRARY + FOISA + EIRS

# The catalogue a case's regime draws on; the EIR also accept FOIA s39 (the EIRs FOISA
# s39(2)), which says the information is environmental.
FAMILY = {"foia": "foia", "foia-review": "foia", "ico-complaint": "foia", "sar": "foia",
          "dp-complaint": "foia", "eir": "eir", "eir-review": "eir", "foisa": "foisa",
          "foisa-review": "foisa", "sic-complaint": "foisa", "eirs": "eirs",
          "eirs-review": "eirs"}
FALLBACK = {"eir": "foia", "eirs": "foisa"}

_BY_CODE: dict[str, dict[str, Exemption]] = {}
for _entry in LIBRARY:
    _BY_CODE.setdefault(_entry.regime, {})[_entry.code.replace(" ", "").lower()] = _entry


def find(citation: str, regime: str = "foia") -> Exemption:
    """The library entry for a citation such as "s31(3)", "Section 24(2)", "reg 12(5)(b)",
    in the catalogue of the case's regime (FOISA's s31 is not FOIA's)."""
    family = FAMILY.get(regime, "foia")
    text = citation.strip().lower().replace("section", "s").replace("regulation", "reg")
    text = text.replace(" ", "")
    for catalogue in (family, FALLBACK.get(family)):
        if catalogue is None:
            continue
        found = _lookup(text, _BY_CODE[catalogue])
        if found is not None:
            return found
    elsewhere = next((name for name, codes in _BY_CODE.items() if _lookup(text, codes)), None)
    if elsewhere is not None:
        raise KeyError(f"{citation} is not a provision of {NAMES[family]}, under which this "
                       f"case is dealt with (it is one of {NAMES[elsewhere]})")
    known = ", ".join(e.code for e in LIBRARY if e.regime == family)
    raise KeyError(f"unknown exemption {citation!r} under {family} (known: {known})")


NAMES = {"foia": "the FOIA", "eir": "the EIR", "foisa": "FOISA", "eirs": "the EIR (Scotland)"}


def _lookup(text: str, codes: dict[str, Exemption]) -> Exemption | None:
    if text in codes:
        return codes[text]
    base = re.match(r"^(s\d+a?)", text)
    if base and base.group(1) in codes:
        return codes[base.group(1)]
    for length in range(len(text), 0, -1):
        if text[:length] in codes:
            return codes[text[:length]]
    return None
