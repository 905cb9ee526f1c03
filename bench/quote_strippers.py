"""Which library finds the new text of a message best? Triage run over the labelled
corpora with each candidate in place of foidesk's own new-text step.

    .venv/bin/pip install talon email-reply-parser   # the two not in foidesk's deps
    .venv/bin/python -m bench.quote_strippers

For each candidate: new_request precision and recall over the labelled corpora; the
requests whose new text, as the library leaves it, still holds a sign-off, signature
or disclaimer; the messages whose new text still holds quoted text; the forwarded
requests it lets triage attribute to their original sender; and the time a message.
A candidate that is not installed is skipped.
"""

from __future__ import annotations

import importlib
import re
import time
from collections.abc import Callable
from pathlib import Path

from foidesk.mail import parse
from foidesk.services.triage_report import NoCases, Outcome, TriageReport, read_labels
from foidesk.triage import Decision, TriagePolicy, classify
from foidesk.triage.newtext import DISCLAIMER, NewText, new_text, request_words

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpora"
CORPORA = [
    (ROOT / "tests" / "corpora" / "crafted", ROOT / "tests" / "corpora" / "labels" / "crafted.csv"),
    *((ROOT / "tests" / "corpora" / name, ROOT / "tests" / "corpora" / "labels" / f"{name}.csv")
      for name in ("holdout", "holdout-2")),
    (SHARED / "mail-gem" / "emails", ROOT / "tests" / "corpora" / "labels" / "mail-gem.csv"),
]
POLICY = TriagePolicy(foi_address="foi@exampleshire.police.uk",
                      internal_domains=frozenset({"exampleshire.police.uk"}))
classify_module = importlib.import_module("foidesk.triage.classify")
# What a signature block holds that no request does: a disclaimer, "Sent from my
# iPhone", a telephone line. (A valediction is cut by foidesk's own step for every
# candidate alike, so it is not counted.)
LEFTOVER = re.compile(rf"(?:{DISCLAIMER.pattern})|sent from my|get outlook for|"
                      r"^\s*(?:t|tel|m|mob|phone)\s*[:.]\s*[\d+(]", re.IGNORECASE | re.MULTILINE)
QUOTED = re.compile(r"^>|^On .{5,80} wrote:|^-{2,}\s*(?:Original|Forwarded) Message|"
                    r"^From: .+\n(?:Sent|Date): ", re.IGNORECASE | re.MULTILINE)


def _plain(body: str) -> NewText:
    return NewText(body=body, above_sign_off=request_words(body), quoted=False, forwarded=None,
                   reply_address=None)


def _quotequail_only(text: str, sender_name: str = "") -> NewText:
    import quotequail

    unwrapped = quotequail.unwrap(text)
    if unwrapped:
        return _plain(unwrapped.get("text_top", "") or "")
    top = []
    for is_new, chunk in quotequail.quote(text):
        if not is_new:
            break
        top.append(chunk)
    return _plain("\n".join(top))


def _mail_parser_reply(text: str, sender_name: str = "") -> NewText:
    from mailparser_reply import EmailReplyParser

    parsed = EmailReplyParser(languages=["en"]).read(text)
    return _plain(parsed.replies[0].body if parsed.replies else text)


def _email_reply_parser(text: str, sender_name: str = "") -> NewText:
    from email_reply_parser import EmailReplyParser

    return _plain(EmailReplyParser.parse_reply(text))


def _talon(text: str, sender_name: str = "") -> NewText:
    import talon
    from talon import quotations
    from talon.signature.bruteforce import extract_signature

    talon.init()
    body, _ = extract_signature(quotations.extract_from_plain(text))
    return _plain(body)


CANDIDATES: dict[str, Callable[..., NewText]] = {
    "quotequail + mail-parser-reply (foidesk)": new_text,
    "quotequail alone": _quotequail_only,
    "mail-parser-reply alone": _mail_parser_reply,
    "email-reply-parser": _email_reply_parser,
    "talon": _talon,
}


def measure(name: str, strip: Callable[..., NewText]) -> dict[str, object]:
    original = classify_module.new_text
    classify_module.new_text = strip
    report, leftovers, quoted, forwards, count = TriageReport(), 0, 0, 0, 0
    started = time.perf_counter()
    try:
        for folder, labels in CORPORA:
            if not folder.exists():
                continue
            for item in read_labels(folder, labels):
                message = parse(item.path.read_bytes())
                triage = classify(message, NoCases(), POLICY)
                count += 1
                report.outcomes.append(Outcome(item, triage.decision.value, triage.reason))
                body = strip(message.text, message.from_name).body
                quoted += bool(QUOTED.search(body))
                if item.label != Decision.NEW_REQUEST.value:
                    continue
                forwards += triage.forwarded is not None
                leftovers += bool(LEFTOVER.search(body))
    finally:
        classify_module.new_text = original
    seconds = time.perf_counter() - started
    return {"candidate": name, "precision": report.precision("new_request"),
            "recall": report.recall("new_request"), "leftovers": leftovers, "quoted": quoted,
            "forwards": forwards, "ms_per_message": 1000 * seconds / max(count, 1)}


# Text shaped to make regexes backtrack: each repeated to 60,000 characters.
HOSTILE = (" \n", "- \n", "> \n", "-- \n", "-\n", "_\n", "* \n", ":\n", "From: a\n", "Sent: x\n",
           "> From: x\n", "From: a\nSent: b\n", "wrote:\n", "On a wrote:\n", "Thanks,\n")


def worst_case() -> None:
    """The slowest of foidesk's new-text step on hostile text (what one message can cost)."""
    timings = []
    for pattern in HOSTILE:
        text = pattern * (60_000 // len(pattern))
        started = time.perf_counter()
        new_text(text)
        timings.append((time.perf_counter() - started, pattern))
    seconds, pattern = max(timings)
    print(f"\nworst hostile text for foidesk's new-text step: {seconds:.2f} s ({pattern!r} "
          f"repeated to 60,000 characters)")


def main() -> None:
    print("| candidate | new_request precision | recall | requests whose new text keeps "
          "signature lines or a disclaimer | messages whose new text keeps quoted text | "
          "forwards attributed | ms per message |")
    print("|---|---|---|---|---|---|---|")
    for name, strip in CANDIDATES.items():
        try:
            row = measure(name, strip)
        except ImportError as error:
            print(f"| {name} | not installed ({error.name}) | | | | | |")
            continue
        print(f"| {row['candidate']} | {row['precision']:.3f} | {row['recall']:.3f} | "
              f"{row['leftovers']} | {row['quoted']} | {row['forwards']} | "
              f"{row['ms_per_message']:.1f} |")
    worst_case()


if __name__ == "__main__":
    main()
