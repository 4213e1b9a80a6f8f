"""Signed links inside outgoing emails: the open pixel, tracked clicks and the unsubscribe page.

Each link carries what it tracks (a sequence step, or a one-off email) and, for a click, its
destination, signed with the secret key: a click link only ever leads to the address that was in
the email, and an unsubscribe link only unsubscribes the contact it was sent to.
"""

import html
import re
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.core import signing
from django.urls import reverse

OPEN_SALT = "outreach.email.open"
CLICK_SALT = "outreach.email.click"
UNSUBSCRIBE_SALT = "outreach.email.unsubscribe"

URL_IN_TEXT = re.compile(r"https?://[^\s<>\"']+")
# Punctuation that ends a sentence rather than the address ("see https://x.com.").
TRAILING = ".,;:!?)]}'\""


@dataclass(frozen=True)
class Tracked:
    """What an open or a click is counted for: a sequence's email step, or a one-off email."""

    kind: Literal["step", "email"]
    pk: int

    @classmethod
    def step(cls, pk: int) -> "Tracked":
        return cls("step", pk)

    @classmethod
    def email(cls, pk: int) -> "Tracked":
        return cls("email", pk)

    def dump(self) -> int | list:
        # A step is a bare id, as in the links of every sequence email already sent.
        return self.pk if self.kind == "step" else [self.kind, self.pk]

    @classmethod
    def load(cls, value: Any) -> "Tracked | None":
        if isinstance(value, int) and not isinstance(value, bool):
            return cls.step(value)
        if (
            isinstance(value, list)
            and len(value) == 2
            and value[0] == "email"
            and isinstance(value[1], int)
        ):
            return cls.email(value[1])
        return None


def open_pixel_url(tracked: Tracked) -> str:
    return _absolute("mail:email_open", signing.dumps(tracked.dump(), salt=OPEN_SALT))


def click_url(tracked: Tracked, url: str) -> str:
    return _absolute(
        "mail:email_click", signing.dumps([tracked.dump(), url], salt=CLICK_SALT, compress=True)
    )


def unsubscribe_url(contact_id: int) -> str:
    return _absolute("mail:unsubscribe", signing.dumps(contact_id, salt=UNSUBSCRIBE_SALT))


def read_open(token: str) -> Tracked | None:
    return Tracked.load(_load(token, OPEN_SALT))


def read_click(token: str) -> tuple[Tracked, str] | None:
    value = _load(token, CLICK_SALT)
    if not (isinstance(value, list) and len(value) == 2):
        return None
    tracked, url = Tracked.load(value[0]), value[1]
    if tracked is None or not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return None
    return tracked, url


def read_unsubscribe(token: str) -> int | None:
    value = _load(token, UNSUBSCRIBE_SALT)
    return value if isinstance(value, int) else None


def html_body(text: str, *, tracked: Tracked | None, unsubscribe: str, footer: bool = True) -> str:
    """The HTML part of a plain-text email: links tracked, a pixel, and the unsubscribe footer
    (left out of a personal answer in a thread, which carries only the header). An email with
    no row to count opens and clicks for (`tracked` None) keeps its links as they are."""
    parts, last = [], 0
    for match in URL_IN_TEXT.finditer(text):
        url = match.group(0).rstrip(TRAILING)
        end = match.start() + len(url)
        href = click_url(tracked, url) if tracked is not None else url
        parts.append(html.escape(text[last : match.start()]))
        parts.append(f'<a href="{html.escape(href)}">{html.escape(url)}</a>')
        last = end
    parts.append(html.escape(text[last:]))
    body = "".join(parts).replace("\n", "<br>\n")
    unsubscribe_footer = (
        f'<p style="margin-top: 2em; font-size: 12px; color: #64748b">'
        f'<a href="{html.escape(unsubscribe)}" style="color: #64748b">Unsubscribe</a></p>'
        if footer
        else ""
    )
    pixel = (
        f'<img src="{html.escape(open_pixel_url(tracked))}" width="1" height="1" alt="">'
        if tracked is not None
        else ""
    )
    return (
        f'<div style="font-family: Arial, sans-serif; font-size: 14px; line-height: 1.5">{body}'
        f"{unsubscribe_footer}{pixel}</div>"
    )


def text_body(text: str, *, unsubscribe: str, footer: bool = True) -> str:
    if not footer:
        return f"{text.rstrip()}\n"
    return f"{text.rstrip()}\n\n--\nNo more emails like this: {unsubscribe}\n"


def _absolute(name: str, token: str) -> str:
    return settings.SITE_URL + reverse(name, args=[token])


def _load(token: str, salt: str):
    try:
        return signing.loads(token, salt=salt)
    except signing.BadSignature:
        return None
