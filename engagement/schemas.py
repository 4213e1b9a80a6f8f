"""Request and response shapes of the engagement API."""

from datetime import datetime
from typing import Annotated, Any

from ninja import Field, Schema

from config.schemas import Id, Input, UtcDatetime
from engagement.models import EngagementLevel, EngagementOverrideHistory, MemberEngagement


class OverrideOut(Schema):
    level: EngagementLevel
    notes: str
    overridden_by: str
    overridden_at: datetime | None
    expires_at: datetime | None


class EngagementOut(Schema):
    contact_id: int
    contact_name: str
    prospect_id: int
    prospect_name: str
    level: EngagementLevel = Field(description="The level in force: the override's, if any.")
    computed_level: EngagementLevel = Field(description="The level the last computation gave.")
    admin_explanation: str = Field(description="For the team: the level and its signals.")
    member_explanation: str = Field(description="Friendly; may be shown to the contact.")
    model_version: str
    fallback_reason: str = Field(
        description="Why the hosted model's answer was not used, when the rules scored instead."
    )
    computed_at: datetime
    override: OverrideOut | None

    @staticmethod
    def resolve_contact_name(obj: MemberEngagement) -> str:
        return str(obj.contact)

    @staticmethod
    def resolve_prospect_id(obj: MemberEngagement) -> int:
        return obj.contact.prospect_id

    @staticmethod
    def resolve_prospect_name(obj: MemberEngagement) -> str:
        return obj.contact.prospect.name

    @staticmethod
    def resolve_override(obj: MemberEngagement) -> dict[str, Any] | None:
        if not obj.is_overridden:
            return None
        return {
            "level": obj.override_level,
            "notes": obj.override_notes,
            "overridden_by": obj.overridden_by_label,
            "overridden_at": obj.overridden_at,
            "expires_at": obj.override_expires_at,
        }


class EngagementDetailOut(EngagementOut):
    signals: dict[str, Any]


class OverrideHistoryOut(Schema):
    id: int
    action: EngagementOverrideHistory.Action
    previous_level: EngagementLevel
    new_level: EngagementLevel
    notes: str
    performed_by: str = Field(description='A username, an API key, or "system".')
    performed_by_user_id: int | None
    performed_at: datetime
    expires_at: datetime | None

    @staticmethod
    def resolve_performed_by(obj: EngagementOverrideHistory) -> str:
        return obj.performed_by_label

    @staticmethod
    def resolve_performed_by_user_id(obj: EngagementOverrideHistory) -> int | None:
        return obj.performed_by_id


class OverrideIn(Input):
    level: EngagementLevel
    notes: Annotated[str, Field(min_length=1, max_length=2000)] = Field(
        description="Why the level is overridden (required)."
    )
    expires_at: UtcDatetime | None = Field(
        None, description="When the override lapses and the computed level returns."
    )


class EngagementFilter(Schema):
    level: EngagementLevel | None = None
    q: Annotated[str, Field(max_length=200)] = Field(
        "", description="Contact name, email or company contains."
    )
    prospect_id: Id | None = None
    overridden: bool | None = None


class EngagementSummaryOut(Schema):
    counts: dict[EngagementLevel, int] = Field(description="Scored contacts per level in force.")
    scored: int
    unscored: int = Field(description="Contacts the daily computation has not scored yet.")


class EngagementSettingsOut(Schema):
    window_days: int
    highly_engaged_min_events: int
    moderate_min_events: int
    new_contact_days: int
    inactive_after_days: int
    updated_at: datetime | None


class EngagementSettingsPatch(Input):
    window_days: Annotated[int, Field(ge=7, le=730)] = None
    highly_engaged_min_events: Annotated[int, Field(ge=2, le=1000)] = None
    moderate_min_events: Annotated[int, Field(ge=1, le=999)] = None
    new_contact_days: Annotated[int, Field(ge=1, le=730)] = None
    inactive_after_days: Annotated[int, Field(ge=8, le=3650)] = None
