"""Scrubbing a requester's identity out of text bound for the disclosure log."""

from __future__ import annotations

from foidesk.privacy import scrub


def test_names_emails_addresses_postcodes_and_phones_go():
    text = ("Dear Sir,\nI am Jane Q. Public of 3 High Street, Exampleton EX1 1AA "
            "(07700 900 123, jane@example.org).\nHow many potholes?\n\nKind regards,\n"
            "Jane Public\n")
    out = scrub(text, names=["Jane Q. Public"], addresses=["3 High Street, Exampleton EX1 1AA"])
    for secret in ("Jane", "Public", "High Street", "EX1 1AA", "07700", "jane@", "Dear"):
        assert secret not in out
    assert "How many potholes?" in out


def test_ordinary_words_and_numbers_stay():
    text = "Thank you for asking. 1,010 potholes were repaired in 2025 on 12 roads."
    assert scrub(text, names=["Al"]) == text


def test_a_sign_off_line_with_text_after_it_is_not_a_signature():
    text = "Thanks for the figures you sent.\nThey show 40 repairs."
    assert scrub(text) == text
