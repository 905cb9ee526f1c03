"""Every word a person reads comes from a Jinja2 template in `templates/`.

One Environment: HTML is escaped and text is not; a missing variable fails
loudly (StrictUndefined); an authority's override folder is tried before ours.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, TemplateNotFound
from markupsafe import Markup

from foidesk.law import law_of
from foidesk.sanitise import clean_html
from foidesk.wording import count, days_left

DEFAULT_TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str | None


def _uk_date(value: Any) -> str:
    """13 November 2018: how a UK letter writes a date."""
    return f"{value.day} {value:%B %Y}" if value is not None else "not yet set"


def _uk_datetime(value: Any) -> str:
    """2 November 2026 at 09:14, in UK time."""
    if value is None:
        return "not known"
    from zoneinfo import ZoneInfo

    local = value.astimezone(ZoneInfo("Europe/London")) if value.tzinfo else value
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def _statute(citation: str) -> str:
    """s24(2) -> Section 24(2); reg 12(5)(b) -> Regulation 12(5)(b), as letters write them."""
    text = citation.strip()
    if text.lower().startswith("reg"):
        return "Regulation " + text[3:].lstrip(" .")
    if text.lower().startswith("s") and text[1:2].isdigit():
        return "Section " + text[1:]
    return text


class Renderer:
    """Jinja2 over the override folder, then foidesk's own templates."""

    def __init__(self, override_dir: str | Path | None = None) -> None:
        folders = [str(override_dir)] if override_dir else []
        folders.append(str(DEFAULT_TEMPLATES))
        self.env = Environment(
            loader=ChoiceLoader([FileSystemLoader(folder) for folder in folders]),
            autoescape=lambda name: bool(name) and name.endswith((".html.j2", ".html", ".xml")),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            # Each template is read and compiled once per run (a flow run is a process of
            # its own), not checked on disk again for every message.
            auto_reload=False,
        )
        self._missing: set[str] = set()  # optional templates looked for and not found
        self.env.filters["uk_date"] = _uk_date
        self.env.filters["uk_datetime"] = _uk_datetime
        self.env.filters["statute"] = _statute
        self.env.globals["law_of"] = law_of
        self.env.filters["count"] = count
        self.env.filters["days_left"] = days_left
        # A requester's HTML, through nh3: the only way their markup reaches our HTML.
        self.env.filters["sanitised_html"] = lambda markup: Markup(clean_html(markup or ""))

    def email(self, name: str, **context: Any) -> RenderedEmail:
        """`email/<name>.subject.j2`, `.txt.j2` (required) and `.html.j2` (optional)."""
        subject = self.env.get_template(f"email/{name}.subject.j2").render(**context)
        text = self.env.get_template(f"email/{name}.txt.j2").render(**context)
        html = self._optional(f"email/{name}.html.j2", context)
        return RenderedEmail(" ".join(subject.split()), text, html)

    def _optional(self, name: str, context: dict[str, Any]) -> str | None:
        """An optional template rendered, or None; a missing one is looked for once."""
        if name in self._missing:
            return None
        try:
            template = self.env.get_template(name)
        except TemplateNotFound:
            self._missing.add(name)
            return None
        return template.render(**context)
