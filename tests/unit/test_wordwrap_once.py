"""The templates' `wordwrap` is Jinja's, each text wrapped once per run."""

from __future__ import annotations

import pytest
from jinja2 import Environment

from foidesk.rendering import Renderer, _wrapped

TEXTS = [
    "1. How many potholes were reported in ward 12 in 2025, broken down by month and by "
    "the road's classification (A, B, C or unclassified)?",
    "A well-known, long-standing, cross-departmental question about re-surfacing budgets "
    "that runs on and on past the width of a line of an email",
    "https://www.example.gov.uk/a/very/long/address/that/cannot/be/broken/anywhere/at/all/x",
    "First paragraph.\nSecond paragraph, which is long enough to need wrapping at least once.",
    "",
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("arguments", ["72", '72, wrapstring="\\n     "', "30, False",
                                       '40, True, "\\n  ", False'])
def test_it_wraps_as_jinjas_own_filter(text, arguments):
    template = f"{{{{ text | wordwrap({arguments}) }}}}"
    expected = Environment().from_string(template).render(text=text)
    assert Renderer().env.from_string(template).render(text=text) == expected


def test_a_text_quoted_twice_is_wrapped_once():
    env = Renderer().env
    _wrapped.cache_clear()
    for _ in range(2):  # the acknowledgement, then the owner's task
        env.from_string("{{ t | wordwrap(72) }}").render(t=TEXTS[0])
    assert (_wrapped.cache_info().hits, _wrapped.cache_info().misses) == (1, 1)


def test_what_is_not_text_is_wrapped_as_jinja_wraps_it():
    with pytest.raises(AttributeError):  # None has no lines, as in Jinja's own filter
        Renderer().env.from_string("{{ t | wordwrap }}").render(t=None)
