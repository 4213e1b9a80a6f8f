"""The embedded scorer: the workspace's thresholds decide the level, and templates write both
explanations from the signals. Deterministic, offline, and the fallback for the hosted model."""

import zoneinfo
from datetime import date, datetime

from engagement.models import EngagementLevel
from engagement.providers import Classification
from engagement.signals import KIND_NOUNS, ScoringInput, Thresholds
from outreach.models import Activity, CallOutcome, Contact

# rules-3: meetings booked on a call and from the booking page count alike; explanations
# name the team and give dates in their reader's time zone.
RULES_VERSION = "rules-3"

# How explanations name the calls that are not engagement: (one, several).
UNCOUNTED_CALLS = {
    CallOutcome.LEFT_VOICEMAIL: ("voicemail left", "voicemails left"),
    CallOutcome.NO_ANSWER: ("call not answered", "calls not answered"),
    CallOutcome.NOT_INTERESTED: ("call ending not interested", "calls ending not interested"),
    CallOutcome.WRONG_NUMBER: ("call to a wrong number", "calls to a wrong number"),
}
SAID_NO = {
    CallOutcome.NOT_INTERESTED: "the contact said they were not interested",
    CallOutcome.WRONG_NUMBER: "the number called was a wrong number",
}
UNCOUNTED_REPLIES = {
    "not_interested": ("reply saying not interested", "replies saying not interested"),
    "unsubscribe": ("reply asking to unsubscribe", "replies asking to unsubscribe"),
    "out_of_office": ("out-of-office auto-reply", "out-of-office auto-replies"),
}
MEMBER_TEMPLATES = {
    EngagementLevel.HIGHLY_ENGAGED: (
        "Thanks for staying so involved{name}! Everyone at {team} appreciates you exploring "
        "what we shared and keeping in touch."
    ),
    EngagementLevel.MODERATE: (
        "Thanks for keeping in touch{name}. It has been good to hear from you recently, and "
        "{team} is glad to help whenever you need us."
    ),
    EngagementLevel.NEW: (
        "Welcome{name}! {team} is glad to be connected and looks forward to getting to know you."
    ),
    EngagementLevel.AT_RISK: (
        "We have missed you{name}! It has been a little while since you last heard from "
        "{team}, and we would love to catch up whenever it suits you."
    ),
    EngagementLevel.INACTIVE: (
        "It has been some time since we were last in touch{name}. Whenever you are ready, "
        "{team} is here to pick up the conversation."
    ),
}


class RulesEngagementProvider:
    model_version = RULES_VERSION
    batch_size = 2000

    def classify(
        self, items: list[ScoringInput], *, thresholds: Thresholds, as_of: date
    ) -> list[Classification]:
        return [
            Classification(
                level=item.rule_level,
                admin_explanation=admin_explanation(item, thresholds),
                member_explanation=member_explanation(item),
                model_version=RULES_VERSION,
            )
            for item in items
        ]


def member_explanation(item: ScoringInput) -> str:
    name = f", {item.first_name}" if item.first_name else ""
    team = item.team_name or "our team"
    return MEMBER_TEMPLATES[item.rule_level].format(name=name, team=team)


def admin_explanation(item: ScoringInput, thresholds: Thresholds) -> str:
    signals = item.signals
    events = signals["events_in_window"]
    window = thresholds.window_days
    engaged_before = signals["last_activity_at"] is not None
    zone = item.team_time_zone
    last = _day(signals["last_activity_at"], zone)
    added = _day(signals["contact_added_at"], zone)
    level = item.rule_level
    meetings = signals.get("calls_by_outcome", {}).get(CallOutcome.MEETING_BOOKED, 0) + signals[
        "events_by_kind"
    ].get(Activity.Kind.MEETING_BOOKED, 0)
    said_no = signals.get("last_call_said_no")
    parts = []
    if level == EngagementLevel.HIGHLY_ENGAGED and events < thresholds.highly_engaged_min_events:
        parts.append(
            f"Highly engaged: {_count(meetings, 'meeting was', 'meetings were')} booked in the "
            f"last {window} days, the strongest signal there is ({_events(events)} in all)."
        )
    elif level == EngagementLevel.HIGHLY_ENGAGED:
        parts.append(
            f"Highly engaged: {_events(events)} in the last {window} days, at or above the "
            f"{thresholds.highly_engaged_min_events} that make a contact highly engaged."
        )
        if meetings:
            parts.append(f"{_count(meetings, 'meeting was', 'meetings were')} booked.")
    elif level == EngagementLevel.AT_RISK and said_no:
        parts.append(
            f"At risk: on the latest call, on {_day(said_no['at'], zone)}, "
            f"{SAID_NO[said_no['outcome']]}, and nothing since counts as engagement "
            f"({_events(events)} in the last {window} days)."
        )
    elif level == EngagementLevel.MODERATE:
        parts.append(
            f"Moderate: {_events(events)} in the last {window} days, below the "
            f"{thresholds.highly_engaged_min_events} that would make the contact highly "
            "engaged."
        )
    elif level == EngagementLevel.NEW:
        so_far = (
            "no engagement yet"
            if not events
            else f"{_events(events)} so far, fewer than the "
            f"{thresholds.moderate_min_events} that make a contact moderate"
        )
        parts.append(
            f"New: added on {added}, within the last {thresholds.new_contact_days} days, "
            f"with {so_far}."
        )
    elif level == EngagementLevel.AT_RISK:
        recent = (
            f"no engagement in the last {window} days"
            if not events
            else f"only {_events(events)} in the last {window} days, fewer than the "
            f"{thresholds.moderate_min_events} that make a contact moderate"
        )
        parts.append(f"At risk: {recent}, though the contact engaged before (last on {last}).")
    elif engaged_before:
        parts.append(
            f"Inactive: no engagement since {last}, more than "
            f"{thresholds.inactive_after_days} days ago."
        )
    else:
        parts.append(f"Inactive: no engagement recorded since the contact was added on {added}.")

    by_kind = signals["events_by_kind"]
    if by_kind:
        breakdown = ", ".join(
            _count(n, *KIND_NOUNS[kind]) for kind, n in sorted(by_kind.items(), key=_most_first)
        )
        parts.append(f"Events in the window: {breakdown}.")
        if set(by_kind) == {Activity.Kind.EMAIL_OPEN}:
            parts.append("All of them are email opens, the weakest signal.")
    company_events = signals["company_events_in_window"]
    if company_events:
        parts.append(
            f"{_count(company_events, 'of these was', 'of these were')} recorded for "
            f"{item.prospect_name} as a company, not for a named person, and "
            f"{'counts' if company_events == 1 else 'count'} for each of its contacts."
        )
    if engaged_before and level in (EngagementLevel.HIGHLY_ENGAGED, EngagementLevel.MODERATE):
        parts.append(f"Last engagement on {last}.")
    profile_changed = _day(signals["profile_updated_at"], zone)
    if level == EngagementLevel.NEW or not engaged_before:
        parts.append(f"Profile last changed on {profile_changed}.")
    else:
        parts.append(f"Added on {added}; profile last changed on {profile_changed}.")

    not_counted = [
        _count(n, *UNCOUNTED_REPLIES[intent])
        for intent, n in signals["replies_by_intent"].items()
        if intent in UNCOUNTED_REPLIES
    ]
    not_counted += [
        _count(n, *UNCOUNTED_CALLS[outcome])
        for outcome, n in signals.get("calls_by_outcome", {}).items()
        if outcome in UNCOUNTED_CALLS
    ]
    if signals["emails_sent_in_window"]:
        not_counted.append(
            _count(signals["emails_sent_in_window"], "email we sent", "emails we sent")
        )
    if not_counted:
        parts.append(f"Not counted in the window: {', '.join(not_counted)}.")
    if signals["outreach_status"] != Contact.OutreachStatus.ACTIVE:
        status = Contact.OutreachStatus(signals["outreach_status"]).label.lower()
        parts.append(f"Outreach status: {status}.")
    if item.team_name:
        parts.append(f"Engagement with {item.team_name}; dates in {zone}.")
    return " ".join(parts)


def _events(n: int) -> str:
    return _count(n, "engagement event", "engagement events")


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def _most_first(item: tuple[str, int]) -> tuple[int, str]:
    kind, n = item
    return (-n, kind)


def _day(iso: str | None, zone: str) -> str:
    """The calendar day of a stored UTC moment where the reader lives: 23:30 UTC on the 3rd is
    already the 4th in Sydney."""
    if not iso:
        return "never"
    day = datetime.fromisoformat(iso).astimezone(zoneinfo.ZoneInfo(zone))
    return f"{day:%b} {day.day}, {day.year}"
