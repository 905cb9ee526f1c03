"""`foidesk triage-report`: how triage does on a labelled corpus of real mail."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from foidesk.cli.common import EXIT_USAGE, ConfigOption, fail, out, settings_from


def triage_report(
    corpus: Annotated[list[Path], typer.Argument(
        help="The folder(s) the labels' file paths are in; several are reported together.")],
    labels: Annotated[list[Path], typer.Option(
        help="CSV with the columns file, label, note; one per folder, in the same order.")],
    config: ConfigOption = None,
    foi_address: Annotated[str, typer.Option(
        help="Without a config: the FOI mailbox's address.")] = "foi@exampleshire.police.uk",
    internal_domain: Annotated[list[str] | None, typer.Option(
        help="Without a config: a domain of the authority's staff (repeatable).")] = None,
    mistakes: Annotated[bool, typer.Option(help="List every message triage got wrong.")] = False,
    markdown: Annotated[bool, typer.Option(help="Print the tables as Markdown.")] = False,
) -> None:
    """Print the confusion matrix and precision/recall per decision over labelled mail.

    Example: foidesk triage-report tests/corpora/crafted --labels tests/corpora/labels/crafted.csv
    """
    from foidesk.services.triage_report import LabelsError, evaluate, read_labels

    if len(corpus) != len(labels):
        fail(f"{len(corpus)} folder(s) but {len(labels)} --labels file(s): give one each",
             EXIT_USAGE)
    policy = _policy(config, foi_address, internal_domain)
    labelled = []
    try:
        for folder, file in zip(corpus, labels, strict=True):
            labelled += read_labels(folder, file)
    except LabelsError as error:
        fail(str(error), EXIT_USAGE)
    report = evaluate(labelled, policy)
    if markdown:
        out.print(_markdown(report), markup=False, highlight=False, soft_wrap=True)
        _print_mistakes(report, corpus, mistakes)
        return
    decisions = report.decisions()
    matrix = report.matrix
    table = Table(title=f"{len(report.outcomes)} messages: label (rows) by decision (columns)")
    table.add_column("label")
    for decision in decisions:
        table.add_column(decision, justify="right")
    for label in decisions:
        table.add_row(label, *(str(matrix[(label, d)] or "") for d in decisions))
    out.print(table)
    scores = Table(title="precision and recall")
    for name in ("decision", "labelled", "decided", "precision", "recall"):
        scores.add_column(name, justify="left" if name == "decision" else "right")
    for decision in decisions:
        scores.add_row(decision, str(sum(matrix[(decision, d)] for d in decisions)),
                       str(sum(matrix[(label, decision)] for label in decisions)),
                       _score(report.precision(decision)), _score(report.recall(decision)))
    out.print(scores)
    _print_mistakes(report, corpus, mistakes)


def _print_mistakes(report, corpus: list[Path], wanted: bool) -> None:
    if not wanted:
        return
    for outcome in report.mistakes():
        out.print(f"{outcome.labelled.path}: labelled "
                  f"{outcome.labelled.label}, decided {outcome.decision}: {outcome.reason}",
                  markup=False)


def _markdown(report) -> str:
    """The matrix and the scores as two Markdown tables (docs/triage.md)."""
    decisions = report.decisions()
    matrix = report.matrix
    lines = [f"{len(report.outcomes)} messages; rows are labels, columns decisions.", "",
             "| label | " + " | ".join(decisions) + " |",
             "|---|" + "---|" * len(decisions)]
    for label in decisions:
        lines.append(f"| {label} | " + " | ".join(str(matrix[(label, d)] or "")
                                                  for d in decisions) + " |")
    lines += ["", "| decision | labelled | decided | precision | recall |",
              "|---|---|---|---|---|"]
    for decision in decisions:
        lines.append(f"| {decision} | {sum(matrix[(decision, d)] for d in decisions)} | "
                     f"{sum(matrix[(label, decision)] for label in decisions)} | "
                     f"{_score(report.precision(decision))} | {_score(report.recall(decision))} |")
    return "\n".join(lines)


def _score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _policy(config: Path | None, foi_address: str, internal_domains: list[str] | None):
    from foidesk.triage import TriagePolicy

    settings = settings_from(config, required=False)
    if settings is not None:
        from foidesk.bootstrap import intake_settings

        return intake_settings(settings).triage
    if "@" not in foi_address:
        fail(f"--foi-address: {foi_address!r} is not an email address", EXIT_USAGE)
    domain = foi_address.rsplit("@", 1)[1].lower()
    return TriagePolicy(foi_address=foi_address.lower(),
                        internal_domains=frozenset({domain, *(d.lower() for d in
                                                              internal_domains or ())}))


def register(app: typer.Typer) -> None:
    app.command("triage-report")(triage_report)
