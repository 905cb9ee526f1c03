"""The answers starter round-trips: its comments never become answers."""

from __future__ import annotations

from foidesk.drafting import answers_starter, parse_plain

QUESTIONS = [
    ("8", "How many deployments were there in 2025?"),
    ("9", "Which companies supplied the software?\nA which companies\nB at what cost"),
]


def test_a_starter_submitted_unchanged_has_no_stray_text():
    starter = answers_starter(QUESTIONS, [("owner@example.gov.uk", "We hold none.\nThanks, Bob")])
    content = parse_plain(starter)
    assert content.answers == {"8": "", "9": ""}
    assert content.note == "" and content.exemptions == []


def test_a_filled_in_starter_keeps_each_answer_to_its_question():
    starter = answers_starter(QUESTIONS, [])
    filled = starter.replace("8. ", "8. Twelve.").replace("9. ", "9. Two companies.")
    content = parse_plain(filled)
    assert content.answers == {"8": "Twelve.", "9": "Two companies."}


def test_the_starter_quotes_each_registered_question_exactly():
    starter = answers_starter(QUESTIONS, [])
    commented = [line for line in starter.splitlines() if line.startswith("#")]
    quoted = "\n".join(line.removeprefix("# 9 ").removeprefix("#   ") for line in commented
                       if "9 " in line[:4] or line.startswith("#   "))
    assert quoted == QUESTIONS[1][1]
