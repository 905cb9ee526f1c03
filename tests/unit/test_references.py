"""Reference formats: the default renders like the seed letter; a bad format says why."""

from __future__ import annotations

from datetime import date

import pytest

from foidesk.references import ReferenceFormat, ReferenceFormatError, SequenceScope


def test_default_format_renders_the_seed_letters_reference():
    assert ReferenceFormat().render(3787, date(2018, 10, 16)) == "FOI 003787/18"


def test_per_year_sequences_are_keyed_by_year_and_continuous_by_one_key():
    assert ReferenceFormat().sequence_key(date(2018, 10, 16)) == "2018"
    continuous = ReferenceFormat("REQ-{seq:05d}", SequenceScope.CONTINUOUS)
    assert continuous.sequence_key(date(2018, 10, 16)) == "all"
    assert continuous.render(42, date(2018, 1, 1)) == "REQ-00042"


@pytest.mark.parametrize(
    ("template", "scope", "message"),
    [
        ("FOI {n}", SequenceScope.CONTINUOUS, "unknown field"),
        ("FOI {yy}", SequenceScope.PER_YEAR, "must contain {seq}"),
        ("FOI {seq", SequenceScope.CONTINUOUS, "not a valid format string"),
        ("FOI {seq:06d}", SequenceScope.PER_YEAR, "must contain {yy} or {yyyy}"),
    ],
)
def test_a_format_that_cannot_work_is_refused_with_the_reason(template, scope, message):
    with pytest.raises(ReferenceFormatError, match=message):
        ReferenceFormat(template, scope)
