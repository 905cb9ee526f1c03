"""Counts read as a person writes them."""

from foidesk.rendering import Renderer
from foidesk.wording import count, days_left, plural


def test_counts_and_plurals():
    assert count(1, "working day") == "1 working day"
    assert count(5, "working day") == "5 working days"
    assert count(0, "case") == "0 cases"
    assert count(2, "reply") == "2 replies" and count(3, "box") == "3 boxes"
    assert count(1200, "record") == "1,200 records"
    assert plural("person") == "people"


def test_days_to_a_deadline_never_read_as_negative():
    assert days_left(5) == "5 working days away"
    assert days_left(1) == "1 working day away"
    assert days_left(0) == "due today"
    assert days_left(-2) == "2 working days late"


def test_the_templates_have_the_same_filters():
    env = Renderer().env
    assert env.from_string("{{ 1 | count('item') }}, {{ -1 | days_left }}").render() == \
        "1 item, 1 working day late"
