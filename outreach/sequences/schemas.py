"""Request and response shapes of the sequences API."""

from datetime import date, datetime
from typing import Annotated, Any

from ninja import Field, Schema

from config.schemas import Id, Input
from outreach.models import OutreachLog, OutreachSequence, OutreachStep
from outreach.sequences.selectors import step_states

Reason = Annotated[str, Field(max_length=200)]


class SequenceStepIn(Input):
    id: Id | None = Field(None, description="An existing step's id, to edit that step in place.")
    channel: OutreachLog.Channel
    delay_days: int = Field(0, ge=0, le=365, description="Days after the previous step.")
    delay_hours: int = Field(0, ge=0, le=720, description="Hours on top of the days.")
    subject_template: Annotated[str, Field(max_length=300)] = Field(
        "", description="May use variables such as {{contact.first_name}}."
    )
    body_template: Annotated[str, Field(max_length=20_000)] = ""
    email_template_id: Id | None = Field(
        None,
        description="An email step may take its subject and body from a shared template of "
        "the library (`/email-templates`) instead of its own; later edits to the template "
        "reach the step, and its emails count in the template's usage and reply rate.",
    )
    auto_send: bool = Field(
        False, description="An email step that sends by itself instead of waiting as a task."
    )


class SequenceStepOut(Schema):
    id: int
    position: int
    channel: OutreachLog.Channel
    delay_days: int
    delay_hours: int
    subject_template: str
    body_template: str
    email_template_id: int | None
    auto_send: bool


class SequenceIn(Input):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(max_length=5000)] = ""
    steps: list[SequenceStepIn] = Field(min_length=1, max_length=30)


class SequencePatch(Input):
    name: Annotated[str, Field(min_length=1, max_length=200)] = None
    description: Annotated[str, Field(max_length=5000)] = None
    steps: list[SequenceStepIn] = Field(
        None, min_length=1, max_length=30, description="The whole new list of steps."
    )


class SequenceOut(Schema):
    id: int
    name: str
    description: str
    steps: list[SequenceStepOut]
    active_count: int
    paused_count: int
    completed_count: int
    stopped_count: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_steps(obj: Any) -> list[Any]:
        return list(obj.steps.all())


class EnrollIn(Input):
    contact_ids: list[Id] = Field(min_length=1, max_length=500)
    sender_id: Id | None = Field(
        None, description="Whose mailbox and queue to use; defaults to who enrolls."
    )


class StepStateOut(Schema):
    id: int
    step_order: int
    channel: OutreachLog.Channel
    status: OutreachStep.Status
    subject: str = Field(description="The step's subject for this contact, variables filled in.")
    explanation: str = Field(description="What the step is doing, or why it waits.")
    goes_at: datetime | None = Field(description="When a waiting step will go, if known.")
    scheduled_at: datetime | None
    triggered_by: str | None
    next_step_ready_at: datetime | None
    task_id: int | None = Field(description="The step's touch task or sent email.")


class EnrollmentOut(Schema):
    id: int
    sequence_id: int
    sequence_name: str
    contact_id: int
    contact_name: str
    prospect_id: int
    prospect_name: str
    status: OutreachSequence.Status
    stop_reason: str
    pause_reason: str
    paused_until: datetime | None
    sender_id: int | None
    created_at: datetime
    steps: list[StepStateOut]

    @staticmethod
    def resolve_sequence_id(obj: Any) -> int:
        return obj.template_id

    @staticmethod
    def resolve_sequence_name(obj: Any) -> str:
        return obj.template.name

    @staticmethod
    def resolve_contact_name(obj: Any) -> str:
        return str(obj.contact)

    @staticmethod
    def resolve_prospect_name(obj: Any) -> str:
        return obj.prospect.name

    @staticmethod
    def resolve_steps(obj: Any) -> list[dict[str, Any]]:
        return [
            {
                "id": state.step.pk,
                "step_order": state.step.step_order,
                "channel": state.step.channel,
                "status": state.step.status,
                "subject": state.subject,
                "explanation": state.explanation,
                "goes_at": state.goes_at,
                "scheduled_at": state.step.scheduled_at,
                "triggered_by": state.step.triggered_by,
                "next_step_ready_at": state.step.next_step_ready_at,
                "task_id": state.step.outreach_log_id,
            }
            for state in step_states(obj)
        ]


class EnrollmentSkipOut(Schema):
    contact_id: int
    reason: str


class EnrollmentReportOut(Schema):
    enrolled: list[EnrollmentOut]
    skipped: list[EnrollmentSkipOut]


class EnrollmentFilter(Schema):
    sequence_id: Id | None = None
    contact_id: Id | None = None
    prospect_id: Id | None = None
    status: OutreachSequence.Status | None = None


class PauseIn(Input):
    reason: Reason = ""
    until: date | None = Field(
        None, description="Resume by itself that day, at the start of the contact's hours."
    )


class StopIn(Input):
    reason: Reason = ""
