"""Parsing never crashes, and always finds readable text."""

from __future__ import annotations

import pytest

from foidesk.mail import MessageTooLarge, html_to_text, parse, safe_filename


def test_a_bad_charset_falls_back_instead_of_crashing():
    raw = (b"From: a@example.org\r\nSubject: x\r\nContent-Type: text/plain; charset=klingon\r\n"
           b"\r\nCaf\xe9 au lait\r\n")
    assert parse(raw).text == "Café au lait"


def test_a_missing_charset_with_utf8_bytes_is_read_as_utf8():
    raw = "From: a@example.org\r\nSubject: x\r\n\r\nŁódź — ok\r\n".encode()
    assert parse(raw).text == "Łódź — ok"


def test_html_only_mail_becomes_readable_text():
    raw = (b"From: a@example.org\r\nSubject: x\r\nContent-Type: text/html\r\n\r\n"
           b"<html><head><style>p{}</style></head><body><p>Please send</p><ul><li>one</li>"
           b"<li>two &amp; three</li></ul><script>x()</script></body></html>\r\n")
    assert parse(raw).text == "Please send\n\n- one\n\n- two & three"


def test_multipart_alternative_prefers_the_plain_part():
    raw = (b"From: a@example.org\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
           b'Content-Type: multipart/alternative; boundary="b"\r\n\r\n'
           b"--b\r\nContent-Type: text/html\r\n\r\n<p>HTML version</p>\r\n"
           b"--b\r\nContent-Type: text/plain\r\n\r\nPlain version\r\n--b--\r\n")
    assert parse(raw).text == "Plain version"


def test_attachments_are_kept_with_safe_names_and_nested_messages_found():
    raw = (b"From: a@example.org\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
           b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
           b"--b\r\nContent-Type: text/plain\r\n\r\nSee attached\r\n"
           b"--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
           b'Content-Disposition: attachment; filename="../../etc/pass\x07wd.pdf"\r\n\r\n'
           b"JVBERi0xLjQ=\r\n"
           b"--b\r\nContent-Type: message/rfc822\r\n\r\n"
           b"Message-ID: <inner@x>\r\nSubject: inner\r\n\r\nhello\r\n--b--\r\n")
    message = parse(raw)
    [attachment] = message.attachments
    assert attachment.filename == "pass_wd.pdf"
    assert attachment.data == b"%PDF-1.4"
    assert b"<inner@x>" in message.nested[0]
    assert message.text == "See attached"


def test_a_message_without_message_id_gets_a_stable_one_from_its_content():
    raw = b"From: a@example.org\r\nSubject: x\r\n\r\nhello\r\n"
    assert parse(raw).message_id == parse(raw).message_id
    assert parse(raw).message_id.endswith("@foidesk.invalid>")


def test_reply_to_is_where_replies_go():
    raw = b"From: A <a@example.org>\r\nReply-To: b@example.org\r\nSubject: x\r\n\r\nhi\r\n"
    assert parse(raw).reply_address == "b@example.org"


def test_over_the_size_limit_is_refused_before_parsing():
    with pytest.raises(MessageTooLarge, match="over the 100-byte limit"):
        parse(b"x" * 101, size_limit=100)


@pytest.mark.parametrize(
    ("name", "safe"),
    [("report.pdf", "report.pdf"), ("..\\..\\secret.txt", "secret.txt"), (None, "attachment.bin"),
     (".hidden", "hidden"), ("a/b/c d.docx", "c d.docx")],
)
def test_filenames_are_sanitised(name, safe):
    assert safe_filename(name) == safe


def test_broken_html_still_gives_text():
    assert "Hello" in html_to_text("<p>Hello <b>world</p></i><<<")
