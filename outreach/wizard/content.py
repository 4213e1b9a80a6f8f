"""What the public wizard pages and the PDF report show a prospect: their own record only."""

import re
from dataclasses import dataclass

from outreach.models import Prospect, WizardLink
from outreach.models.wizard import WIZARD_STEPS

STEP_TITLES = {
    "welcome": "Welcome",
    "about": "About you",
    "video": "Your video",
    "next": "Next steps",
}
# Custom fields and tags the team uses for itself ("hot-lead", "lead_source", "notes", "_budget")
# never reach the prospect. A leading underscore keeps any other field off the public pages too.
INTERNAL_WORDS = {
    "budget",
    "internal",
    "lead",
    "note",
    "notes",
    "owner",
    "priority",
    "private",
    "score",
    "source",
    "stage",
    "status",
}
MAX_FACT_LENGTH = 200
MAX_FACTS = 8


@dataclass(frozen=True)
class Step:
    number: int
    name: str
    title: str


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class Sender:
    team: str
    rep_name: str
    rep_email: str


STEPS = [
    Step(number=i, name=name, title=STEP_TITLES[name]) for i, name in enumerate(WIZARD_STEPS, 1)
]


def active_link(*, token: str) -> WizardLink | None:
    """The live link with this token, with what its pages show; None for a bad or revoked one."""
    if not re.fullmatch(WizardLink.TOKEN_PATTERN, token):
        return None
    return (
        WizardLink.objects.select_related("workspace", "prospect__owner", "session")
        .filter(token=token, revoked_at__isnull=True)
        .first()
    )


def prospect_facts(*, prospect: Prospect) -> list[Fact]:
    facts = []
    if prospect.website:
        facts.append(Fact("Website", prospect.website))
    if prospect.domain:
        facts.append(Fact("Domain", prospect.domain))
    for key, value in prospect.custom_fields.items():
        if _is_internal(key) or isinstance(value, dict | list) or value in (None, ""):
            continue
        text = "Yes" if value is True else "No" if value is False else str(value)
        facts.append(Fact(_humanize(key), _shorten(text)))
    return facts[:MAX_FACTS]


def prospect_topics(*, prospect: Prospect) -> list[str]:
    return sorted(tag.name for tag in prospect.tags.all() if not _is_internal(tag.name))


def sender(*, link: WizardLink) -> Sender:
    owner = link.prospect.owner
    return Sender(
        team=link.workspace.name,
        rep_name=(owner.get_full_name() or owner.get_username()) if owner else "",
        rep_email=owner.email if owner else "",
    )


def _is_internal(name: str) -> bool:
    words = set(re.split(r"[^a-z0-9]+", _split_camel(name).lower()))
    return name.startswith("_") or bool(words & INTERNAL_WORDS)


def _humanize(key: str) -> str:
    words = re.sub(r"[_\-\s]+", " ", _split_camel(key)).strip()
    return words[:1].upper() + words[1:].lower() if words else key


def _split_camel(text: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", text)


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_FACT_LENGTH else text[: MAX_FACT_LENGTH - 1] + "…"
