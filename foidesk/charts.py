"""The dashboard's charts as PNG images (matplotlib, Agg: no display, no system fonts), and
as the data URLs a Prefect markdown artifact shows inline."""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

GREEN, AMBER, RED, GREY = "#2e7d32", "#f9a825", "#c62828", "#757575"


def in_time_by_month(months: list[tuple[str, float | None]]) -> bytes:
    """In-time % for each month, against the ICO's 90% and 95% lines."""
    figure, axes = plt.subplots(figsize=(7.5, 3.0), dpi=100)
    labels = [label for label, _ in months]
    values = [value if value is not None else 0 for _, value in months]
    colours = [GREY if v is None else GREEN if v >= 95 else AMBER if v >= 90 else RED
               for _, v in months]
    axes.bar(labels, values, color=colours)
    for line, name in ((95, "95% good"), (90, "90% adequate")):
        axes.axhline(line, color="#333333", linewidth=0.8, linestyle="--")
        axes.text(len(labels) - 0.5, line + 0.5, name, ha="right", va="bottom", fontsize=7)
    axes.set_ylim(0, 105)
    axes.set_ylabel("answered in time (%)")
    axes.set_title("In-time responses by month (grey: no responses)", fontsize=10)
    axes.tick_params(axis="x", labelsize=7, rotation=45)
    return _png(figure)


def open_cases_by_team(teams: list[tuple[str, int, int, int]]) -> bytes:
    """Open cases per team, stacked: on time, at risk (due within 5 working days), late."""
    figure, axes = plt.subplots(figsize=(7.5, max(1.6, 0.45 * len(teams) + 1.0)), dpi=100)
    names = [name for name, *_ in teams] or ["(no open cases)"]
    on_time = [t[1] for t in teams] or [0]
    at_risk = [t[2] for t in teams] or [0]
    late = [t[3] for t in teams] or [0]
    axes.barh(names, on_time, color=GREEN, label="on time")
    axes.barh(names, at_risk, left=on_time, color=AMBER, label="at risk")
    axes.barh(names, late, left=[a + b for a, b in zip(on_time, at_risk, strict=True)],
              color=RED, label="late")
    axes.set_xlabel("open cases")
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.legend(loc="lower right", fontsize=7)
    axes.set_title("Open cases by owner team", fontsize=10)
    axes.invert_yaxis()
    return _png(figure)


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _png(figure) -> bytes:
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    plt.close(figure)
    return out.getvalue()
