"""How Welsh templates write dates, the law and greetings: Jinja2 filters over the Welsh
catalogue (templates/cy/messages.po), with month and weekday names from Babel's CLDR data.

Welsh mutates a noun after "o" (of) and "o dan" (under): "adran 1(3) o Ddeddf Rhyddid
Gwybodaeth 2000". The catalogue keeps each instrument's name twice, as written alone and
in its mutated form (context "mutated"), so no rule of grammar is guessed in code.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from foidesk.law import Provision, RegimeLaw
from foidesk.translation import Catalogue

LOCALE = "cy_GB"


class Untranslated(LookupError):
    """A Welsh template asked for words the catalogue does not have."""


def translate(catalogue: Catalogue, english: str, context: str | None = None) -> str:
    found = catalogue.get(english, context)
    if found is None:
        where = f" (context {context!r})" if context else ""
        raise Untranslated(f"templates/cy/messages.po has no Welsh for {english!r}{where}: "
                           "add it there or in the override folder's cy/messages.po")
    return found


def welsh_date(value: date | None, catalogue: Catalogue) -> str:
    """12 Tachwedd 2026."""
    if value is None:
        return translate(catalogue, "not yet set")
    return format_date(value, "d MMMM y", locale=LOCALE)


def welsh_datetime(value: datetime | None, catalogue: Catalogue) -> str:
    """2 Tachwedd 2026 am 09:14, in UK time."""
    if value is None:
        return translate(catalogue, "not known")
    local = value.astimezone(ZoneInfo("Europe/London")) if value.tzinfo else value
    at = translate(catalogue, "{date} at {time}")
    return at.format(date=welsh_date(local.date(), catalogue),
                     time=format_time(local, "HH:mm", locale=LOCALE))


def cited(provision: Provision, catalogue: Catalogue) -> str:
    """"adran 1(3) o Ddeddf Rhyddid Gwybodaeth 2000"."""
    word, _, number = provision.part.partition(" ")
    return (f"{translate(catalogue, word, 'provision')} {number} "
            f"o {translate(catalogue, provision.instrument, 'mutated')}")


def law_name(law: RegimeLaw, catalogue: Catalogue, mutated: bool = False) -> str:
    """The law a case is dealt with under: "Deddf Rhyddid Gwybodaeth 2000", or mutated for
    "o dan Ddeddf ..."; subject access is "Erthygl 15 o Reoliad Cyffredinol ..."."""
    if law.name == f"the {law.instrument}":
        return translate(catalogue, law.instrument, "mutated" if mutated else None)
    return cited(Provision(law.instrument, law.name.split(" of the ")[0]), catalogue)


def statute(citation: str, catalogue: Catalogue) -> str:
    """s24(2) -> Adran 24(2); reg 12(5)(b) -> Rheoliad 12(5)(b), as a Welsh letter heads
    them."""
    text = citation.strip()
    if text.lower().startswith("reg"):
        word, rest = "regulation", text[3:].lstrip(" .")
    elif text.lower().startswith("s") and text[1:2].isdigit():
        word, rest = "section", text[1:]
    else:
        return text
    welsh = translate(catalogue, word, "provision")
    return f"{welsh[:1].upper()}{welsh[1:]} {rest}"


def greeting(authority: Any, name: str | None, catalogue: Catalogue) -> str:
    """"Annwyl Siân Jones," or "Annwyl Syr neu Fadam,": the authority's own greeting in
    Welsh when its catalogue has one, the catalogue's usual greeting otherwise."""
    name = (name or "").strip()
    if not name:
        return (catalogue.get(authority.salutation_unnamed, "greeting")
                or translate(catalogue, "Dear Sir or Madam,", "greeting"))
    form = (catalogue.get(authority.salutation, "greeting")
            or translate(catalogue, "Dear {name},", "greeting"))
    return form.format(name=name)


def valediction(authority: Any, catalogue: Catalogue) -> str:
    """"Yn gywir,"."""
    return (catalogue.get(authority.valediction, "greeting")
            or translate(catalogue, "Yours sincerely,", "greeting"))


def or_english(catalogue: Catalogue, english: str, context: str | None = None) -> str:
    """A name the authority chose (a signatory's role): Welsh when its catalogue has it,
    otherwise as the authority wrote it."""
    return catalogue.get(english, context) or english


def welsh_filters(catalogue: Callable[[], Catalogue]) -> dict[str, Callable[..., str]]:
    """The filters Welsh templates use; the catalogue is read when first needed."""
    return {
        "cy": lambda english, context=None: translate(catalogue(), english, context),
        "cy_or_english": lambda english, context=None: or_english(catalogue(), english,
                                                                  context),
        "cy_date": lambda value: welsh_date(value, catalogue()),
        "cy_datetime": lambda value: welsh_datetime(value, catalogue()),
        "cy_cited": lambda provision: cited(provision, catalogue()),
        "cy_statute": lambda citation: statute(citation, catalogue()),
        "cy_law": lambda law, mutated=False: law_name(law, catalogue(), mutated),
        "cy_greeting": lambda authority, name: greeting(authority, name, catalogue()),
        "cy_valediction": lambda authority: valediction(authority, catalogue()),
    }
