"""Spam: first the mail gateway's own verdict, then the plain shape of a scam.

A verdict header is only as trustworthy as the server that wrote it; these are the
ones the common gateways write on mail they pass on (SpamAssassin and rspamd,
Exchange Online Protection, Barracuda). A message the gateway did not mark can
still be an advance-fee scam or a phishing mail: those are recognised by two or
more of their stock phrases, never by one word.
"""

from __future__ import annotations

import re

from foidesk.mail import InboundMessage

# Exchange: SCL 5-6 is spam, 7-9 high-confidence spam, -1 bypassed filtering.
SCL_SPAM = 5
EOP_SPAM_CATEGORIES = re.compile(r"\bCAT:(SPM|HSPM|PHSH|HPHSH|SPOOF|MALW|GIMP)\b", re.I)
EOP_SPAM_VERDICT = re.compile(r"\bSFV:(SPM|SKS|SKB)\b", re.I)

SCAM_PHRASES = (
    # advance-fee ("419") and lottery scams
    r"\bbeneficiary\b", r"next of kin", r"(?:united states )?dollars?\s*\(?us\$|\bmillion "
    r"(?:united states |us |u\.s\. )?(?:dollars|usd|pounds|euros?)\b",
    r"\$\s?\d{1,3}(?:,\d{3}){2,}", r"western union", r"money ?gram", r"\batm card\b",
    r"\binheritance\b", r"\blottery\b", r"winning (?:notification|number)", r"compensation fund",
    r"diplomatic (?:courier|agent)", r"transfer of (?:the )?funds?",
    r"(?:strictly )?confidential business (?:proposal|transaction)", r"late client",
    # phishing
    r"verify your (?:account|identity|information|mailbox|e-?mail|details)",
    r"(?:mailbox|account|password|e-?mail) (?:will be|has been|is) (?:suspended|deactivated|"
    r"closed|disabled|blocked|terminated|expired?)", r"mailbox (?:quota|storage|is full)",
    r"password (?:expires|will expire|has expired)",
    r"click (?:here|below|the link|the button) to (?:verify|update|confirm|validate|restore|"
    r"unlock|reactivate|keep)", r"unusual (?:sign-?in|login) activity",
    r"confirm your (?:password|credentials|login)",
    r"failure to (?:verify|comply|update)", r"shared a (?:secure )?document with you",
    # unsolicited selling
    r"\bviagra\b", r"\bcialis\b", r"online pharmacy", r"\brefinanc",
    r"pre-?approved", r"lowest rate", r"investor alert", r"\bticker\b", r"\bst0ck\b",
    r"\bcasino\b", r"weight loss", r"work from home", r"limited time (?:offer|opportunity)",
    r"100% (?:free|guaranteed)", r"risk[- ]free",
)
SCAM = re.compile("|".join(f"(?:{p})" for p in SCAM_PHRASES), re.IGNORECASE)


def gateway_verdict(message: InboundMessage) -> str | None:
    """The spam verdict a mail gateway wrote on this message, in its own words."""
    flag = message.header("x-spam-flag").strip()
    if flag.lower().startswith("yes"):
        return f"the mail gateway marked it spam (X-Spam-Flag: {flag[:20]})"
    status = message.header("x-spam-status").strip()
    if status.lower().startswith("yes"):
        return f"the mail gateway marked it spam (X-Spam-Status: {status[:40]})"
    for name in ("x-spam", "x-barracuda-spam-status", "x-spam-verdict"):
        value = message.header(name).strip()
        if value.lower().startswith(("yes", "spam")):
            return f"the mail gateway marked it spam ({name}: {value[:40]})"
    scl = message.header("x-ms-exchange-organization-scl").strip()
    if re.fullmatch(r"-?\d+", scl) and int(scl) >= SCL_SPAM:
        return f"Exchange Online marked it spam (X-MS-Exchange-Organization-SCL: {scl})"
    report = message.header("x-forefront-antispam-report")
    found = EOP_SPAM_VERDICT.search(report) or EOP_SPAM_CATEGORIES.search(report)
    if found:
        return f"Exchange Online Protection marked it spam (X-Forefront-Antispam-Report " \
               f"{found.group(0)})"
    found = re.search(r"\bSCL:(\d)\b", report)
    if found and int(found.group(1)) >= SCL_SPAM:
        return f"Exchange Online Protection marked it spam (SCL:{found.group(1)})"
    return None


def scam_reason(message: InboundMessage, new_text: str) -> str | None:
    """Two or more stock phrases of scams, phishing or unsolicited selling."""
    text = f"{message.subject}\n{new_text[:20000]}"
    words = list(dict.fromkeys(m.group(0).lower() for m in SCAM.finditer(text)))
    if len(words) >= 2:
        shown = ", ".join(repr(w) for w in words[:4])
        return f"reads as a scam or unsolicited selling ({shown})"
    if words and _reply_elsewhere(message):
        return (f"reads as a scam ({words[0]!r}) and asks for replies to another domain "
                f"({message.reply_to})")
    return None


def _reply_elsewhere(message: InboundMessage) -> bool:
    if not message.reply_to or "@" not in message.from_address:
        return False
    return _domain(message.reply_to) != _domain(message.from_address)


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].lower()
