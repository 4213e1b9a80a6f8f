"""What the hosted model is told when it scores a contact: the system prompt, the forced
`classify_engagement` tool, and the per-contact context."""

import json
from datetime import date
from typing import Any

from engagement.models import EngagementLevel

# Part of every score's model_version: changing the prompt or the tool makes every score stale.
PROMPT_VERSION = "engagement-prompt-3"

CLASSIFY_TOOL_NAME = "classify_engagement"

ENGAGEMENT_SYSTEM_PROMPT = """\
You classify how engaged one business contact is with a sales team, from the activity the \
team's CRM recorded, and you explain the classification twice.

Levels:
- highly_engaged: frequent, recent engagement (at or above the workspace's threshold of events \
in the window).
- moderate: some recent engagement, below the highly engaged threshold.
- at_risk: no engagement in the window, but the contact was engaged before.
- new: added to the CRM recently and not yet engaged.
- inactive: no engagement for a long time, or never engaged and no longer new.

The context gives the workspace's thresholds and the level its rules produce. Start from the \
rules' level. Depart from it only when the signals clearly justify it, for example when the \
only events are email opens (the weakest signal: mail privacy proxies open every message) or \
when the contact's replies asked us to stop; say so in the admin explanation.

A meeting booked in the window is the strongest signal: such a contact is highly_engaged. \
Engagement events are meetings booked, calls and meetings held, email opens and clicks, wizard \
steps viewed, PDF reports downloaded, videos played, and replies that are interested, a question, \
a referral or not yet triaged. Emails we sent, out-of-office replies, and not-interested or \
unsubscribe replies are not engagement. Company events were recorded for the contact's company, \
not for a named person, and are counted for each of its contacts.

Calls carry the outcome the rep recorded (calls_by_outcome). Connected calls and booked \
meetings are calls held; a meeting booked in the window is the strongest signal and makes \
the contact highly engaged. Voicemails and unanswered calls are our own attempts, not \
engagement. last_call_said_no is set when the latest call ended not interested or at a wrong \
number and nothing since counts as engagement: the contact is then at risk at best.

Write two explanations:
- admin_explanation: for the sales team. Name the level, and cite the signals that decide \
it with their numbers and dates (events in the window by kind, company events, the last \
activity, when the contact was added, replies that were negative). Two to four sentences. \
Signal times are UTC: give dates as calendar days in the team's time zone.
- member_explanation: friendly, addressed to the contact, and safe to show them. One or two \
sentences in the second person, warm and without pressure, naming the team they deal with. \
Any date is a calendar day in the contact's time zone. Never mention levels, scores, risk, \
"at risk", tracking, opens or clicks, or any internal judgment.

Answer only by calling the classify_engagement tool."""

CLASSIFY_ENGAGEMENT_TOOL: dict[str, Any] = {
    "name": CLASSIFY_TOOL_NAME,
    "description": "Record the contact's engagement level and the two explanations of it.",
    "input_schema": {
        "type": "object",
        "properties": {
            "level": {
                "type": "string",
                "enum": list(EngagementLevel.values),
                "description": "The contact's engagement level.",
            },
            "admin_explanation": {
                "type": "string",
                "description": "For the sales team: the level and the signals behind it.",
            },
            "member_explanation": {
                "type": "string",
                "description": "Friendly words for the contact; never mentions risk or levels.",
            },
        },
        "required": ["level", "admin_explanation", "member_explanation"],
    },
}


def build_engagement_context(
    *,
    contact_name: str,
    prospect_name: str,
    team_name: str = "",
    team_time_zone: str = "UTC",
    contact_time_zone: str = "UTC",
    signals: dict[str, Any],
    thresholds: dict[str, int],
    as_of: date,
) -> str:
    """The user message for one contact: who they are, the thresholds, and the signals."""
    lines = [
        f"Contact: {contact_name or 'unnamed contact'}",
        f"Company: {prospect_name}",
        f"The team they deal with: {team_name or 'our team'}",
        f"The team's time zone: {team_time_zone}",
        f"The contact's time zone: {contact_time_zone}",
        f"Today (UTC): {as_of.isoformat()}",
        "",
        "Workspace thresholds:",
        f"- window: the last {thresholds['window_days']} days",
        f"- highly_engaged: {thresholds['highly_engaged_min_events']} or more events in the window",
        f"- moderate: {thresholds['moderate_min_events']} or more events in the window",
        f"- new: added within the last {thresholds['new_contact_days']} days",
        f"- inactive: no engagement for {thresholds['inactive_after_days']} days or more",
        "",
        f"Level by the rules: {signals['rule_level']}",
        "",
        "Signals (JSON):",
        json.dumps(signals, indent=2, sort_keys=True),
    ]
    return "\n".join(lines)
