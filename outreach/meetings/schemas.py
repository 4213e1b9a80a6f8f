"""API schemas of meetings."""

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from config.schemas import Id, Input
from outreach.models import Meeting


class MeetingOut(Schema):
    id: int
    title: str
    status: Meeting.Status
    start_at: datetime
    end_at: datetime
    host_id: int
    meeting_type_id: int | None
    prospect_id: int | None
    contact_id: int | None
    invitee_name: str
    invitee_email: str
    invitee_time_zone: str
    note: str
    created_at: datetime
    cancelled_at: datetime | None
    outcome_at: datetime | None


class MeetingFilter(Schema):
    status: Meeting.Status | None = None
    host_id: Id | None = None
    prospect_id: Id | None = None


class MeetingOutcomeIn(Input):
    outcome: Literal["held", "no_show"] = Field(
        description="Whether the meeting took place or the invitee did not come."
    )


class MeetingTypeOut(Schema):
    id: int
    host_id: int
    name: str
    slug: str
    duration_minutes: int
    buffer_minutes: int
    days_ahead: int
    min_notice_minutes: int
    description: str
    is_active: bool
