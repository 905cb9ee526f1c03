"""Requesters' HTML, made safe before it reaches an officer's or owner's HTML mail.

nh3 (the Rust `ammonia` sanitiser) keeps structure a requester uses to set out a request
(paragraphs, lists, tables, emphasis, links) and drops everything else: scripts, event
handlers, styles, forms, iframes, and images, which would load remote content (a
tracking pixel tells the sender the officer opened the mail) or embed data we did not
vet. Links keep http, https and mailto only, and open nothing with our referrer.
"""

from __future__ import annotations

import nh3

ALLOWED_TAGS = {
    "a", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "li", "ol", "p", "pre", "span", "strong", "sub", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"},
                      "th": {"colspan", "rowspan"}}
MAX_CHARS = 200_000  # a request longer than this is quoted as text instead


def clean_html(markup: str) -> str:
    """Safe HTML for our own mail, or "" when there is nothing worth keeping."""
    if not markup.strip() or len(markup) > MAX_CHARS:
        return ""
    cleaned = nh3.clean(
        markup, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow",
        strip_comments=True, clean_content_tags={"script", "style", "title", "head"},
    )
    return cleaned.strip()
