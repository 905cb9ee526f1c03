"""The words the sender wrote this time, as an officer reads them.

A reply quotes what it answers, a forward carries someone else's message, and
nearly every message ends in a sign-off, a signature block, a legal disclaimer or
(from WhatDoTheyKnow) a long footer. None of that may decide what a message is,
or become a question of a request.

Two libraries do the generic work, each for what it is best at (compared on the
labelled corpora in docs/triage.md): quotequail finds quoted and forwarded parts
and reads a forward's From/Date/Subject block in the styles of Gmail, Outlook and
Apple Mail; mail-parser-reply splits a reply from its signature, disclaimers and
"Sent from my iPhone". What is particular to UK public-sector mail (the letter's
valediction, WhatDoTheyKnow's footer, Welsh sign-offs) is listed here.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import quotequail
from mailparser_reply.parser import EmailMessage

logging.getLogger("mailparser_reply").setLevel(logging.WARNING)

MAX_TEXT = 20_000  # the new text is at the top; the libraries' regexes see no more than this

# WhatDoTheyKnow (Alaveteli) ends every outgoing mail with this footer; its first
# line names the address that every reply to the request must go to.
WDTK_REPLY_ADDRESS = re.compile(
    r"please use this email address for all replies to this request:\s*"
    r"<?([\w.+-]+@[\w-]+(?:\.[\w-]+)+)>?", re.IGNORECASE)
WDTK_FOOTER_START = re.compile(
    r"^[ \t]*(?:please use this email address for all replies to this request|"
    r"is [\w.+-]+@[\w.-]+ the wrong address for|disclaimer: this message and any reply)",
    re.IGNORECASE | re.MULTILINE)
DASHES = re.compile(r"^[ \t]*-{10,}[ \t]*$", re.MULTILINE)

# A letter's valediction and what follows it (the name, a title, an address).
SIGN_OFF = re.compile(
    r"^[ \t>]*(?:yours (?:faithfully|sincerely|truly)|(?:with )?(?:many |kind(?:est)? |best |"
    r"warm )?(?:regards|wishes)|many thanks|thanks (?:very much|in advance|again)|"
    r"thank you (?:very much|in advance|for your (?:help|time|assistance))|thanks|thank you|"
    r"cheers|best|all the best|respectfully|sincerely|regards|"
    r"yn gywir|yr eiddoch yn gywir|yn ddiffuant|cofion(?: gorau| cynnes)?|diolch(?: yn fawr)?)"
    r"[ \t]*[,.!]?[ \t]*$", re.IGNORECASE | re.MULTILINE)
GREETING_WORD = (r"(?:dear|hello|hi|hiya|good (?:morning|afternoon|evening)|to whom it may "
                 r"concern|sir(?: or madam|/madam)?|annwyl|helo|s[ŵw]mae|bore da|prynhawn da)")
# A greeting line: the word and at most a few more ("Dear Exampleshire Constabulary,").
GREETING = re.compile(rf"^[ \t]*{GREETING_WORD}\b(?:[ \t]+[^\s?]+){{0,6}}[ \t]*[,.:!]?[ \t]*$",
                      re.IGNORECASE | re.MULTILINE)
# A greeting that the request follows on the same line: "Hi, can you send me ..."
GREETING_PREFIX = re.compile(rf"^[ \t]*{GREETING_WORD}\b[^,!:\n?]{{0,40}}[,!:][ \t]+(?=\S)",
                             re.IGNORECASE)
DISCLAIMER = re.compile(
    r"^[ \t*]*(?:this (?:e-?mail|message|communication)(?: and any (?:files|attachments?)"
    r"[^.\n]{0,40})?,? (?:is|are|may be|contains?|and its attachments are)(?: strictly)? "
    r"(?:confidential|private|privileged|intended|for the (?:sole|exclusive) use|protectively)|"
    r"the information (?:in|contained in) this (?:e-?mail|message) is|"
    r"if you are not the (?:intended )?(?:recipient|addressee)|"
    r"if you have received this (?:e-?mail|message|communication) in error|"
    r"(?:confidentiality|privacy|legal|email) (?:notice|statement|disclaimer)\b|disclaimer:|"
    r"caution: this e-?mail|warning: this e-?mail|please consider the environment before|"
    r"all e-?mails? (?:sent to|to and from)|"
    r"communications (?:with|via) .{0,60} may be (?:monitored|recorded)|"
    r"mae['’]r e-?bost hwn(?: ac unrhyw atodiadau)? yn gyfrinachol|"
    r"os ydych wedi derbyn yr e-?bost hwn)", re.IGNORECASE | re.MULTILINE)
SENT_FROM = re.compile(r"^[ \t]*(?:sent from my \w+|get outlook for \w+|sent from (?:mail|"
                       r"yahoo mail|outlook) for \w+|anfonwyd o['’]?m \w+)\b.*$",
                       re.IGNORECASE | re.MULTILINE)


# The signs of a forward or a quoted reply that quotequail's unwrap can read; without
# one there is nothing to unwrap (and unwrap's time grows fast on header-like lines).
UNWRAP_SIGNS = re.compile(
    r"forwarded message|original message|begin forwarded|wrote:|ysgrifennodd|"
    r"^[ \t>*]*from:[^\n]*\n[ \t>*]*(?:sent|date|to|subject):", re.IGNORECASE | re.MULTILINE)
UNWRAP_WINDOW = 6_000  # a forward's header block is near the top


@dataclass(frozen=True)
class ForwardedPart:
    """A message forwarded inline: its header block and its text."""

    from_header: str
    date_header: str
    subject: str
    text: str


@dataclass(frozen=True)
class NewText:
    """What the sender wrote this time, and what was cut off around it."""

    body: str  # no quoted reply, no forwarded part, no signature, disclaimer or footer
    above_sign_off: str  # body without greeting and sign-off: the request's own words
    quoted: bool  # the message quotes or forwards an earlier one
    forwarded: ForwardedPart | None
    reply_address: str | None  # "Please use this email address for all replies ..."


def new_text(text: str, sender_name: str = "") -> NewText:
    """Split `text` into the new words and the rest; `sender_name` helps find a
    signature that has no valediction before it."""
    text = (text or "")[:MAX_TEXT].replace("\r\n", "\n")
    # Lines of nothing but spaces, and long runs of blank lines, mean nothing to a reader;
    # left in, they cost the libraries' regexes time that grows with their square.
    text = re.sub(r"[ \t]+$", "", text, flags=re.MULTILINE)
    text = re.sub(r"\n{3,}", "\n\n", text)
    reply_address = _wdtk_reply_address(text)
    text = strip_wdtk_footer(text)
    top, quoted, forwarded = _unquoted_top(text)
    body = _without_signature(top)
    names = (sender_name,) if sender_name else ()
    return NewText(body=body, above_sign_off=request_words(body, names), quoted=quoted,
                   forwarded=forwarded, reply_address=reply_address)


def _wdtk_reply_address(text: str) -> str | None:
    found = WDTK_REPLY_ADDRESS.search(text)
    return found.group(1).lower() if found else None


def strip_wdtk_footer(text: str) -> str:
    """WhatDoTheyKnow's footer (replies address, wrong-address link, disclaimer) cut off,
    with the line of dashes above it."""
    found = WDTK_FOOTER_START.search(text)
    if found is None:
        return text
    cut = found.start()
    window = max(0, cut - 400)
    dashes = list(DASHES.finditer(text, window, cut))
    if dashes and not text[dashes[-1].end():cut].strip():
        cut = dashes[-1].start()
    return text[:cut].rstrip()


def _unquoted_top(text: str) -> tuple[str, bool, ForwardedPart | None]:
    """The text above the first quoted or forwarded part (quotequail)."""
    unwrapped = None
    head = text[:UNWRAP_WINDOW]
    if UNWRAP_SIGNS.search(head):
        try:
            unwrapped = quotequail.unwrap(head)
        except Exception:  # a library's regex on hostile text: judge the whole text
            unwrapped = None
    if unwrapped:
        top = unwrapped.get("text_top", "") or ""
        if unwrapped.get("type") == "forward":
            forwarded = ForwardedPart(
                from_header=unwrapped.get("from", "") or "",
                date_header=unwrapped.get("date", "") or "",
                subject=unwrapped.get("subject", "") or "",
                text=strip_wdtk_footer(unwrapped.get("text", "") or ""),
            )
            return top, True, forwarded
        return top, True, None
    try:
        chunks = quotequail.quote(text)
    except Exception:
        return text, False, None
    top_parts: list[str] = []
    for is_new, chunk in chunks:
        if not is_new:
            return "\n".join(top_parts), True, None
        top_parts.append(chunk)
    return text, False, None


def _without_signature(text: str) -> str:
    """The reply without its signature block, disclaimers and "Sent from" lines
    (mail-parser-reply), then without a UK letter's valediction and what follows."""
    try:
        parsed = EmailMessage(text=text, languages=["en"], keep_hyphen_lists=True).read()
        body = parsed.replies[0].body if parsed.replies else text
    except Exception:
        body = text
    body = body if body.strip() else text
    for pattern in (DISCLAIMER, SENT_FROM):
        found = pattern.search(body)
        if found and found.start() > 0:
            body = body[: found.start()]
    return body.strip()


def request_words(body: str, names: tuple[str, ...] = ()) -> str:
    """The body without its greeting line and from the valediction on, and without a
    last paragraph that begins with the sender's name (a signature with no "Yours
    faithfully" before it): the words a question can be made of."""
    lines = body.splitlines()
    while lines and (not lines[0].strip() or GREETING.fullmatch(lines[0])):
        lines.pop(0)
    if lines:
        lines[0] = GREETING_PREFIX.sub("", lines[0], count=1)
    text = "\n".join(lines)
    found = SIGN_OFF.search(text)
    if found and found.start() > 0:
        text = text[: found.start()]
    paragraphs = re.split(r"\n\s*\n", text.strip())
    if len(paragraphs) > 1 and _is_signature(paragraphs[-1], names):
        paragraphs.pop()
    return "\n\n".join(paragraphs).strip()


def _is_signature(paragraph: str, names: tuple[str, ...]) -> bool:
    first = " ".join(paragraph.strip().splitlines()[0].split()).strip(" ,.-").lower()
    if not first or len(first.split()) > 5:
        return False
    for name in names:
        name = " ".join(name.split()).lower()
        if name and (first == name or first == name.split()[0]):
            return True
    return False
