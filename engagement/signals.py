"""Which activity counts as engagement, and the signals a contact's score is computed from.

An *engagement event* is something the contact (or their company) chose to do:

- `meeting_booked`: they booked a meeting with us, the strongest signal there is: a contact
  with a meeting booked in the window is highly engaged whatever else the counts say.
- `call_done`, `meeting_done`: a conversation took place.
- `email_open`, `email_click`: they read or followed one of our emails. Opens are the weakest
  signal (mail privacy proxies open everything), so they count, but the admin explanation lists
  them apart and the hosted model is told so.
- `wizard_step`, `pdf_download`, `video_play`: they explored the pages, report or video made
  for them.
- `reply` whose intent is `interested`, `question` or `referral`, or a reply not triaged yet:
  a person wrote back.

Calls carry the outcome the rep recorded (`metadata.outcome`, a CallOutcome):

- `connected` and `meeting_booked` are conversations, and count like any call held (so does a
  call recorded without an outcome). A booked meeting is the strongest signal there is: a
  contact who booked one in the window is highly engaged, however few their other events.
- `left_voicemail` and `no_answer` are our own attempts, like emails sent: context, not
  engagement.
- `not_interested` and `wrong_number` count against: when the latest call in the window ended
  that way and nothing the contact did since counts as engagement, the contact is at risk at
  best, whatever came before.

Not engagement:

- `email_sent`: our own touch. It is kept as context ("we wrote 4 times").
- `reply` with intent `not_interested` or `unsubscribe`: the contact asked us to stop, and
  counting it would call them engaged. These replies are kept in the signals and named in the
  admin explanation as a warning.
- `reply` with intent `out_of_office`: an auto-responder, not a person.

Wizard and video activity is recorded per prospect (company) and may have no contact; such
*company events* are attributed to every contact of the prospect, and the admin explanation
says how many of a contact's events came that way.

Days are counted from the start of the current UTC day, so a score is the same all day long
until something new happens: that is what lets a rerun skip every unchanged contact.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from engagement.models import EngagementLevel, EngagementSettings
from outreach.models import Activity, CallOutcome

Kind = Activity.Kind

# Counted whenever they happen in the window.
ENGAGEMENT_KINDS = (
    Kind.MEETING_BOOKED,
    Kind.CALL_DONE,
    Kind.MEETING_DONE,
    Kind.EMAIL_OPEN,
    Kind.EMAIL_CLICK,
    Kind.WIZARD_STEP,
    Kind.PDF_DOWNLOAD,
    Kind.VIDEO_PLAY,
)
# How explanations and lists name the events: (one, several).
KIND_NOUNS = {
    Kind.MEETING_BOOKED: ("meeting booked", "meetings booked"),
    Kind.CALL_DONE: ("call held", "calls held"),
    Kind.MEETING_DONE: ("meeting held", "meetings held"),
    Kind.EMAIL_OPEN: ("email open", "email opens"),
    Kind.EMAIL_CLICK: ("email link click", "email link clicks"),
    Kind.REPLY: ("reply", "replies"),
    Kind.WIZARD_STEP: ("wizard step viewed", "wizard steps viewed"),
    Kind.PDF_DOWNLOAD: ("PDF report download", "PDF report downloads"),
    Kind.VIDEO_PLAY: ("video play", "video plays"),
}
# The intents reply triage writes. A reply with none of them (not triaged yet) is a person
# writing back, so it counts.
REPLY_INTENTS = (
    "interested",
    "question",
    "referral",
    "not_interested",
    "unsubscribe",
    "out_of_office",
    "unclear",
)
UNTRIAGED_INTENT = "untriaged"
# Replies that are not engagement: the contact said stop, or a machine answered.
UNCOUNTED_REPLY_INTENTS = ("not_interested", "unsubscribe", "out_of_office")
# Calls that reached nobody, and calls that said no: neither is a conversation held.
UNANSWERED_CALL_OUTCOMES = (CallOutcome.LEFT_VOICEMAIL, CallOutcome.NO_ANSWER)
NEGATIVE_CALL_OUTCOMES = (CallOutcome.NOT_INTERESTED, CallOutcome.WRONG_NUMBER)
UNCOUNTED_CALL_OUTCOMES = (*UNANSWERED_CALL_OUTCOMES, *NEGATIVE_CALL_OUTCOMES)


@dataclass(frozen=True)
class Thresholds:
    window_days: int = EngagementSettings.DEFAULTS["window_days"]
    highly_engaged_min_events: int = EngagementSettings.DEFAULTS["highly_engaged_min_events"]
    moderate_min_events: int = EngagementSettings.DEFAULTS["moderate_min_events"]
    new_contact_days: int = EngagementSettings.DEFAULTS["new_contact_days"]
    inactive_after_days: int = EngagementSettings.DEFAULTS["inactive_after_days"]

    def as_dict(self) -> dict[str, int]:
        return {
            "window_days": self.window_days,
            "highly_engaged_min_events": self.highly_engaged_min_events,
            "moderate_min_events": self.moderate_min_events,
            "new_contact_days": self.new_contact_days,
            "inactive_after_days": self.inactive_after_days,
        }


@dataclass(frozen=True)
class ScoringClock:
    """The moment a computation runs, and the day boundaries its rules compare against."""

    now: datetime
    thresholds: Thresholds

    @property
    def day_start(self) -> datetime:
        return datetime.combine(self.now.astimezone(UTC).date(), time.min, tzinfo=UTC)

    @property
    def as_of(self) -> date:
        return self.day_start.date()

    @property
    def window_start(self) -> datetime:
        return self.day_start - timedelta(days=self.thresholds.window_days)

    @property
    def new_since(self) -> datetime:
        return self.day_start - timedelta(days=self.thresholds.new_contact_days)

    @property
    def inactive_before(self) -> datetime:
        return self.day_start - timedelta(days=self.thresholds.inactive_after_days)


@dataclass(frozen=True)
class ActivityCounts:
    """One contact's (or one prospect's company-wide) activity in the window, and the time of
    its latest engagement event ever."""

    events_by_kind: dict[str, int]
    replies_by_intent: dict[str, int]
    emails_sent: int
    last_engagement_at: datetime | None
    calls_by_outcome: dict[str, int] = field(default_factory=dict)
    # The latest call in the window that ended not interested or at a wrong number.
    last_said_no: tuple[datetime, str] | None = None

    @property
    def events(self) -> int:
        return sum(self.events_by_kind.values())


NO_ACTIVITY = ActivityCounts(
    events_by_kind={}, replies_by_intent={}, emails_sent=0, last_engagement_at=None
)


@dataclass
class ScoringInput:
    """Everything a provider needs to score one contact."""

    contact_id: int
    prospect_id: int
    first_name: str
    contact_name: str
    prospect_name: str
    signals: dict[str, Any]
    rule_level: str
    signals_hash: str = ""
    # Whether a stored score existed when the batch was read.
    was_scored: bool = False
    # The team the contact deals with (the workspace), named in both explanations, and the
    # zones their readers live in: the team's for the admin one, the contact's for theirs.
    team_name: str = ""
    team_time_zone: str = "UTC"
    contact_time_zone: str = "UTC"


def counts_from_row(row: dict[str, Any]) -> ActivityCounts:
    """Read one row of the grouped query (see selectors.activity_counts)."""
    events = {kind: row[f"n_{kind}"] for kind in ENGAGEMENT_KINDS if row[f"n_{kind}"]}
    intents = {intent: row[f"reply_{intent}"] for intent in REPLY_INTENTS if row[f"reply_{intent}"]}
    untriaged = row["replies"] - sum(intents.values())
    if untriaged:
        intents[UNTRIAGED_INTENT] = untriaged
    counted_replies = row["replies"] - sum(intents.get(i, 0) for i in UNCOUNTED_REPLY_INTENTS)
    if counted_replies:
        events[Kind.REPLY] = counted_replies
    said_no = [
        (row[f"last_{outcome}_at"], outcome)
        for outcome in NEGATIVE_CALL_OUTCOMES
        if row[f"last_{outcome}_at"] is not None
    ]
    return ActivityCounts(
        events_by_kind=events,
        replies_by_intent=intents,
        emails_sent=row["emails_sent"],
        last_engagement_at=row["last_engagement_at"],
        calls_by_outcome={
            outcome: row[f"call_{outcome}"]
            for outcome in CallOutcome.values
            if row[f"call_{outcome}"]
        },
        last_said_no=max(said_no) if said_no else None,
    )


def build_signals(
    *,
    contact: Mapping[str, Any],
    own: ActivityCounts,
    company: ActivityCounts,
    clock: ScoringClock,
) -> dict[str, Any]:
    """The signals of one contact, with absolute dates only (no "days ago") so they stay
    equal from one day to the next while nothing happens. Company replies and emails do not
    exist (those are always a contact's), so only company events are added in."""
    events_by_kind = dict(own.events_by_kind)
    for kind, n in company.events_by_kind.items():
        events_by_kind[kind] = events_by_kind.get(kind, 0) + n
    events = own.events + company.events
    last_activity = max(
        (t for t in (own.last_engagement_at, company.last_engagement_at) if t is not None),
        default=None,
    )
    calls_by_outcome = dict(own.calls_by_outcome)
    for outcome, n in company.calls_by_outcome.items():
        calls_by_outcome[outcome] = calls_by_outcome.get(outcome, 0) + n
    said_no = max(
        (pair for pair in (own.last_said_no, company.last_said_no) if pair is not None),
        default=None,
    )
    # A refusal counts until the contact engages again.
    if said_no is not None and last_activity is not None and last_activity > said_no[0]:
        said_no = None
    # Booked on a call or from the booking page: the strongest signal either way.
    meetings_booked = calls_by_outcome.get(CallOutcome.MEETING_BOOKED, 0) + events_by_kind.get(
        Kind.MEETING_BOOKED, 0
    )
    signals = {
        "window_days": clock.thresholds.window_days,
        "events_in_window": events,
        "events_by_kind": dict(sorted(events_by_kind.items())),
        "company_events_in_window": company.events,
        "replies_by_intent": dict(sorted(own.replies_by_intent.items())),
        "emails_sent_in_window": own.emails_sent,
        "calls_by_outcome": dict(sorted(calls_by_outcome.items())),
        "last_call_said_no": (
            {"outcome": said_no[1], "at": _iso(said_no[0])} if said_no is not None else None
        ),
        "last_activity_at": _iso(last_activity),
        "contact_added_at": _iso(contact["created_at"]),
        "profile_updated_at": _iso(contact["updated_at"]),
        "outreach_status": contact["outreach_status"],
    }
    signals["rule_level"] = rule_level(
        events_in_window=events,
        last_activity_at=last_activity,
        added_at=contact["created_at"],
        clock=clock,
        meetings_booked=meetings_booked,
        said_no=said_no is not None,
    )
    return signals


def rule_level(
    *,
    events_in_window: int,
    last_activity_at: datetime | None,
    added_at: datetime,
    clock: ScoringClock,
    meetings_booked: int = 0,
    said_no: bool = False,
) -> str:
    """The level the workspace's thresholds give. Engagement wins over newness: a contact added
    last week who already engaged is engaged, not merely new. A meeting booked in the window
    makes the contact highly engaged; a call that said no, with nothing since, caps the level
    at at risk."""
    level = _level_by_events(events_in_window, last_activity_at, added_at, clock)
    if meetings_booked:
        level = EngagementLevel.HIGHLY_ENGAGED
    if said_no and level in CAPPED_BY_A_NO:
        level = EngagementLevel.AT_RISK
    return level


# The levels a refusal on the phone brings down to at risk (inactive stays inactive).
CAPPED_BY_A_NO = (
    EngagementLevel.HIGHLY_ENGAGED,
    EngagementLevel.MODERATE,
    EngagementLevel.NEW,
)


def _level_by_events(
    events_in_window: int,
    last_activity_at: datetime | None,
    added_at: datetime,
    clock: ScoringClock,
) -> str:
    thresholds = clock.thresholds
    if events_in_window >= thresholds.highly_engaged_min_events:
        return EngagementLevel.HIGHLY_ENGAGED
    if events_in_window >= thresholds.moderate_min_events:
        return EngagementLevel.MODERATE
    if added_at >= clock.new_since:
        return EngagementLevel.NEW
    if last_activity_at is not None and last_activity_at >= clock.inactive_before:
        return EngagementLevel.AT_RISK
    return EngagementLevel.INACTIVE


def signals_digest(signals: dict[str, Any], thresholds: Thresholds) -> str:
    payload = json.dumps(
        {"signals": signals, "thresholds": thresholds.as_dict()},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
