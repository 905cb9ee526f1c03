"""Triage: one decision and one reason for every message that reaches the FOI mailbox.

Pure rules over a parsed message and a small view of the register, so the same
message always gets the same decision and each rule can be read and tested on its
own: `machine` (bounces, automatic replies, bulk mail), `spam` (gateway verdicts and
scams), `newtext` (the words written this time), `requests` (what a request reads
like), `references`, and `classify`, which applies them in an officer's order.
"""

from foidesk.triage.classify import classify, parse_forwarded_date, valid_address
from foidesk.triage.decisions import (
    MACHINE_GENERATED,
    CaseLookup,
    CaseView,
    Decision,
    Forwarded,
    Triage,
    TriageNotice,
    TriagePolicy,
)
from foidesk.triage.references import ReferenceFinder

__all__ = [
    "MACHINE_GENERATED", "CaseLookup", "CaseView", "Decision", "Forwarded",
    "ReferenceFinder", "Triage", "TriageNotice", "TriagePolicy", "classify",
    "parse_forwarded_date", "valid_address",
]
