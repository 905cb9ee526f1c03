"""Every word a person reads comes from a Jinja2 template in `templates/`.

One Environment: HTML is escaped and text is not; a missing variable fails
loudly (StrictUndefined); an authority's override folder is tried before ours.
What a requester reads exists in each language the desk answers in: a case in Welsh
gets `templates/cy/email/...` and `templates/cy/letters/...`, with the names of the law,
dates and labels from `templates/cy/messages.po` (foidesk/translation.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
    pass_environment,
)
from jinja2.filters import do_wordwrap
from markupsafe import Markup

from foidesk.calendar import RULES, Regime
from foidesk.law import law_of
from foidesk.sanitise import clean_html
from foidesk.translation import Catalogue, load_catalogue
from foidesk.welsh import welsh_filters
from foidesk.wording import count, days_left

DEFAULT_TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
# What a requester reads: each exists in every language a desk answers in.
REQUESTER_EMAILS = (
    "acknowledgement", "clarification_received", "clock_clarification", "clock_extension",
    "clock_fee_notice", "clock_fee_paid", "clock_identity", "released_files",
    "repeat_acknowledgement", "review_acknowledgement", "withdrawal_confirmed",
)
REQUESTER_LETTERS = ("acknowledgement", "response", "review")


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str | None


@lru_cache(maxsize=1024)  # a run writes the same few dates into every message
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


@pass_environment
def _wordwrap(environment: Environment, s: Any, width: int = 79, break_long_words: bool = True,
              wrapstring: str | None = None, break_on_hyphens: bool = True) -> str:
    """Jinja's `wordwrap`, each text wrapped once per run: a new request's acknowledgement
    and its owner's task quote the same questions, and textwrap is slow."""
    wrapstring = environment.newline_sequence if wrapstring is None else wrapstring
    if type(s) is not str:
        return do_wordwrap(environment, s, width, break_long_words, wrapstring,
                           break_on_hyphens)
    return _wrapped(s, width, break_long_words, wrapstring, break_on_hyphens)


@lru_cache(maxsize=256)
def _wrapped(s: str, width: int, break_long_words: bool, wrapstring: str,
             break_on_hyphens: bool) -> str:
    return do_wordwrap(None, s, width, break_long_words, wrapstring, break_on_hyphens)


def _statute(citation: str) -> str:
    """s24(2) -> Section 24(2); reg 12(5)(b) -> Regulation 12(5)(b), as letters write them."""
    text = citation.strip()
    if text.lower().startswith("reg"):
        return "Regulation " + text[3:].lstrip(" .")
    if text.lower().startswith("s") and text[1:2].isdigit():
        return "Section " + text[1:]
    return text


class _FlatGlobals(Environment):
    """Each template's globals in one dict rather than Jinja's ChainMap over the
    environment's, which every render walks key by key to copy. Jinja asks that globals
    not change once a template is loaded; the Renderer sets them all before."""

    def make_globals(self, d: dict[str, Any] | None) -> dict[str, Any]:
        return {**self.globals, **(d or {})}


class Renderer:
    """Jinja2 over the override folder, then foidesk's own templates."""

    def __init__(self, override_dir: str | Path | None = None) -> None:
        folders = [str(override_dir)] if override_dir else []
        folders.append(str(DEFAULT_TEMPLATES))
        self.folders = [Path(folder) for folder in folders]
        self.env = _FlatGlobals(
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
        self.env.filters["wordwrap"] = _wordwrap
        self.env.globals["law_of"] = law_of
        self.env.globals["rule_of"] = lambda regime: RULES[Regime(regime)]
        self.env.filters["count"] = count
        self.env.filters["days_left"] = days_left
        # A requester's HTML, through nh3: the only way their markup reaches our HTML.
        self.env.filters["sanitised_html"] = lambda markup: Markup(clean_html(markup or ""))
        self.env.filters.update(welsh_filters(lambda: self.catalogue("cy")))

    @cache  # noqa: B019 - one catalogue per language per renderer, for the run
    def catalogue(self, language: str) -> Catalogue:
        """`templates/<language>/messages.po`, the override folder's entries first."""
        return load_catalogue(self.folders, language)

    def folder(self, kind: str, name: str, language: str | None = "en") -> str:
        """Where `kind/name` is for a reader of `language`: "cy/email" for what a Welsh
        requester reads, "email" for English and for what staff read."""
        names = REQUESTER_EMAILS if kind == "email" else REQUESTER_LETTERS
        return kind if language in ("en", "", None) or name not in names \
            else f"{language}/{kind}"

    def email(self, name: str, language: str | None = "en", **context: Any) -> RenderedEmail:
        """`email/<name>.subject.j2`, `.txt.j2` (required) and `.html.j2` (optional), in
        the requester's `language` when a requester reads it."""
        folder = self.folder("email", name, language)
        language = language or "en"
        context = {"language": language, "to_public": name in REQUESTER_EMAILS, **context}
        subject = self.env.get_template(f"{folder}/{name}.subject.j2").render(**context)
        text = self.env.get_template(f"{folder}/{name}.txt.j2").render(**context)
        html = self._optional(f"{folder}/{name}.html.j2", context)
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
