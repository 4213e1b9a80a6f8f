"""Signed links inside sequence emails: the open pixel, tracked clicks and the unsubscribe page.

Each link carries its ids (and a click link its destination) signed with the secret key, so a
click link only ever leads to the address that was in the email and an unsubscribe link only
unsubscribes the contact it was sent to.
"""

import html
import re

from django.conf import settings
from django.core import signing
from django.urls import reverse

OPEN_SALT = "outreach.email.open"
CLICK_SALT = "outreach.email.click"
UNSUBSCRIBE_SALT = "outreach.email.unsubscribe"

URL_IN_TEXT = re.compile(r"https?://[^\s<>\"']+")
# Punctuation that ends a sentence rather than the address ("see https://x.com.").
TRAILING = ".,;:!?)]}'\""


def open_pixel_url(step_id: int) -> str:
    return _absolute("sequences:email_open", signing.dumps(step_id, salt=OPEN_SALT))


def click_url(step_id: int, url: str) -> str:
    return _absolute(
        "sequences:email_click", signing.dumps([step_id, url], salt=CLICK_SALT, compress=True)
    )


def unsubscribe_url(contact_id: int) -> str:
    return _absolute("sequences:unsubscribe", signing.dumps(contact_id, salt=UNSUBSCRIBE_SALT))


def read_open(token: str) -> int | None:
    value = _load(token, OPEN_SALT)
    return value if isinstance(value, int) else None


def read_click(token: str) -> tuple[int, str] | None:
    value = _load(token, CLICK_SALT)
    if (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], int)
        and isinstance(value[1], str)
        and value[1].startswith(("http://", "https://"))
    ):
        return value[0], value[1]
    return None


def read_unsubscribe(token: str) -> int | None:
    value = _load(token, UNSUBSCRIBE_SALT)
    return value if isinstance(value, int) else None


def html_body(text: str, *, step_id: int, unsubscribe: str) -> str:
    """The HTML part of a plain-text email: links tracked, a pixel and the unsubscribe footer."""
    parts, last = [], 0
    for match in URL_IN_TEXT.finditer(text):
        url = match.group(0).rstrip(TRAILING)
        end = match.start() + len(url)
        parts.append(html.escape(text[last : match.start()]))
        parts.append(f'<a href="{html.escape(click_url(step_id, url))}">{html.escape(url)}</a>')
        last = end
    parts.append(html.escape(text[last:]))
    body = "".join(parts).replace("\n", "<br>\n")
    return (
        f'<div style="font-family: Arial, sans-serif; font-size: 14px; line-height: 1.5">{body}'
        f'<p style="margin-top: 2em; font-size: 12px; color: #64748b">'
        f'<a href="{html.escape(unsubscribe)}" style="color: #64748b">Unsubscribe</a></p>'
        f'<img src="{html.escape(open_pixel_url(step_id))}" width="1" height="1" alt=""></div>'
    )


def text_body(text: str, *, unsubscribe: str) -> str:
    return f"{text.rstrip()}\n\n--\nNo more emails like this: {unsubscribe}\n"


def _absolute(name: str, token: str) -> str:
    return settings.SITE_URL + reverse(name, args=[token])


def _load(token: str, salt: str):
    try:
        return signing.loads(token, salt=salt)
    except signing.BadSignature:
        return None
