"""A request split into numbered items, as the response answers them."""

from __future__ import annotations

from shared_files import shared_path

from foidesk.questions import split_questions


def test_the_seed_letters_request_splits_into_its_thirteen_items():
    text = shared_path("seed-response-letter.txt").read_text()
    request = text[text.index("1 Has your police force"):text.index("Response to your Request")]
    numbers = [number for number, _ in split_questions(request)]
    assert numbers == ["1", "2", "3", "3a", "3b", "4", "5", "6", "6a", "6b", "7", "8", "9"]
    item_9 = dict(split_questions(request))["9"]
    assert "A which companies" in item_9 and "F and data security" in item_9


def test_a_request_without_numbers_is_one_item():
    assert split_questions("Please send me\nyour 2023 budget.") == [
        ("1", "Please send me your 2023 budget.")
    ]


def test_numbers_inside_text_do_not_start_items():
    text = "1. How many staff?\n2019 figures are enough.\n2. How many left?"
    assert split_questions(text) == [("1", "How many staff? 2019 figures are enough."),
                                     ("2", "How many left?")]
    text = "I count 2024 cases.\n1) First question\n5) not a sequence"
    assert split_questions(text) == [("1", " ".join(text.split()))]
