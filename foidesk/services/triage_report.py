"""Triage measured on labelled mail: a confusion matrix, precision and recall.

A labels file is CSV with the columns `file`, `label` and `note`: `file` is the
message's path under the corpus folder, `label` the decision a careful FOI
officer would make (a `foidesk.triage.Decision` value). Messages are classified
as intake would see them on an empty register: none of them threads onto a case.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from foidesk.mail import parse
from foidesk.triage import Decision, TriagePolicy, classify


class LabelsError(ValueError):
    """A labels file that cannot be read, naming the line and what is wrong."""


@dataclass(frozen=True)
class Labelled:
    path: Path
    label: str
    note: str = ""


@dataclass(frozen=True)
class Outcome:
    labelled: Labelled
    decision: str
    reason: str


@dataclass
class TriageReport:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def matrix(self) -> Counter[tuple[str, str]]:
        """(label, decision) -> how many messages."""
        return Counter((o.labelled.label, o.decision) for o in self.outcomes)

    def decisions(self) -> list[str]:
        seen = {o.labelled.label for o in self.outcomes} | {o.decision for o in self.outcomes}
        return [d.value for d in Decision if d.value in seen]

    def precision(self, decision: str) -> float | None:
        chosen = [o for o in self.outcomes if o.decision == decision]
        if not chosen:
            return None
        return sum(o.labelled.label == decision for o in chosen) / len(chosen)

    def recall(self, decision: str) -> float | None:
        labelled = [o for o in self.outcomes if o.labelled.label == decision]
        if not labelled:
            return None
        return sum(o.decision == decision for o in labelled) / len(labelled)

    def mistakes(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.decision != o.labelled.label]

    def merged(self, other: TriageReport) -> TriageReport:
        return TriageReport([*self.outcomes, *other.outcomes])


class NoCases:
    """An empty register: labelled corpora are judged as first contact."""

    def by_message_ids(self, message_ids: Iterable[str]):
        return None

    def by_reference(self, reference: str):
        return None

    def triage_notice(self, message_ids: Iterable[str]):
        return None

    def chase_digest(self, message_ids: Iterable[str]):
        return None


def read_labels(corpus: Path, labels_file: Path) -> list[Labelled]:
    """The labelled messages; every problem names the line."""
    known = {d.value for d in Decision}
    rows: list[Labelled] = []
    try:
        with labels_file.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or not {"file", "label"} <= set(reader.fieldnames):
                raise LabelsError(f"{labels_file}: needs the columns file and label")
            for line, row in enumerate(reader, start=2):
                path = corpus / row["file"]
                if row["label"] not in known:
                    raise LabelsError(f"{labels_file}:{line}: unknown label {row['label']!r}; "
                                      f"known: {', '.join(sorted(known))}")
                if not path.is_file():
                    raise LabelsError(f"{labels_file}:{line}: no file {path}")
                rows.append(Labelled(path, row["label"], row.get("note") or ""))
    except OSError as error:
        raise LabelsError(f"{labels_file}: {error.strerror}") from None
    return rows


def evaluate(labelled: Iterable[Labelled], policy: TriagePolicy) -> TriageReport:
    """Classify every labelled message as intake would on an empty register."""
    report = TriageReport()
    cases = NoCases()
    for item in labelled:
        triage = classify(parse(item.path.read_bytes()), cases, policy)
        report.outcomes.append(Outcome(item, triage.decision.value, triage.reason))
    return report
