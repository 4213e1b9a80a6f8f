"""Variables in emails, templates and sequence steps (`{{contact.first_name}}`): checked when
they are saved, filled in when a step becomes a task or an email goes.

A variable may carry a fallback for contacts missing the value:
`{{contact.first_name|default:"there"}}`. An email a rep writes is refused while a variable
without a fallback has no value for its contact (`missing`), rather than sent with a blank.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from outreach.models import Contact, Prospect


@dataclass(frozen=True)
class MergeContext:
    contact: Contact
    prospect: Prospect
    sender: Any = None  # the user the sequence sends as, if any


def _sender_name(ctx: MergeContext) -> str:
    if ctx.sender is None:
        return ""
    return ctx.sender.get_full_name() or ctx.sender.get_username()


VARIABLES: dict[str, Callable[[MergeContext], str]] = {
    "contact.first_name": lambda ctx: ctx.contact.first_name,
    "contact.last_name": lambda ctx: ctx.contact.last_name,
    "contact.full_name": lambda ctx: ctx.contact.full_name,
    "contact.email": lambda ctx: ctx.contact.email,
    "contact.title": lambda ctx: ctx.contact.title,
    "prospect.name": lambda ctx: ctx.prospect.name,
    "prospect.domain": lambda ctx: ctx.prospect.domain,
    "prospect.website": lambda ctx: ctx.prospect.website,
    "sender.first_name": lambda ctx: ctx.sender.first_name if ctx.sender else "",
    "sender.full_name": _sender_name,
    "sender.email": lambda ctx: ctx.sender.email if ctx.sender else "",
}

PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
VARIABLE = re.compile(r'^\s*([a-z_]+\.[a-z_]+)\s*(?:\|\s*default\s*:\s*"([^"]*)"\s*)?$')


class UnknownVariable(ValueError):
    pass


def check(text: str) -> None:
    """Raise UnknownVariable naming the first placeholder that would not fill in."""
    for match in PLACEHOLDER.finditer(text):
        parsed = VARIABLE.match(match.group(1))
        if parsed is None or parsed.group(1) not in VARIABLES:
            raise UnknownVariable(
                f"{match.group(0)} is not a variable we know. Use one of: "
                + ", ".join(f"{{{{{name}}}}}" for name in VARIABLES)
                + "."
            )
    leftover = PLACEHOLDER.sub("", text)
    if "{{" in leftover or "}}" in leftover:
        raise UnknownVariable("A variable is missing its {{ or }}.")


def missing(text: str, context: MergeContext) -> list[str]:
    """The variables (as written, once each) that have no value for this context and no
    fallback."""
    empty: list[str] = []
    for match in PLACEHOLDER.finditer(text):
        parsed = VARIABLE.match(match.group(1))
        if parsed is None or parsed.group(1) not in VARIABLES or parsed.group(2) is not None:
            continue
        name = f"{{{{{parsed.group(1)}}}}}"
        if not VARIABLES[parsed.group(1)](context) and name not in empty:
            empty.append(name)
    return empty


def render(text: str, context: MergeContext) -> str:
    """Fill every variable in; text that passed `check` never renders a placeholder."""
    if "{{" not in text:
        return text

    def fill(match: re.Match) -> str:
        parsed = VARIABLE.match(match.group(1))
        if parsed is None or parsed.group(1) not in VARIABLES:
            return match.group(0)
        value = VARIABLES[parsed.group(1)](context) or ""
        return value or (parsed.group(2) or "")

    return PLACEHOLDER.sub(fill, text)
