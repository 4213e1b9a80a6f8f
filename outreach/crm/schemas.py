"""API schemas of tags, prospects, contacts, pipelines, deals and touch tasks."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import BaseModel

from config.schemas import CustomFields, Id, Input, UtcDatetime
from outreach.models import CallOutcome, Contact, OutreachLog, Prospect, TaskPriority

TagName = Annotated[str, Field(min_length=1, max_length=60)]


HexColor = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]


PriorityLabel = Literal["high", "normal", "low"]


Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]


def _tag_names(obj: Any) -> list[str]:
    names = getattr(obj, "tag_names", None)  # set by TaggedQuerySet.with_tag_names()
    if names is None:
        names = sorted(tag.name for tag in obj.tags.all())
    return names


class TagOut(Schema):
    id: int
    name: str
    color: str


class TagIn(Input):
    name: TagName
    color: HexColor = "#64748b"


class TagPatch(Input):
    name: TagName = None
    color: HexColor = None


class ProspectOut(BaseModel):
    """A prospect as a row (selectors.prospect_rows): plain pydantic, validated without the
    per-attribute lookups of an ORM object, because integrations page through thousands."""

    id: int
    name: str
    domain: str
    website: str
    status: Prospect.Status
    owner_id: int | None
    custom_fields: dict[str, Any]
    tags: list[str]
    created_at: datetime
    updated_at: datetime


class ProspectIn(Input):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    domain: Annotated[str, Field(max_length=253)] = ""
    website: Annotated[str, Field(max_length=500)] = ""
    status: Prospect.Status = Prospect.Status.NEW
    owner_id: Id | None = None
    custom_fields: CustomFields = Field(default_factory=dict)
    tags: list[TagName] = Field(default_factory=list, max_length=50)


class ProspectPatch(Input):
    name: Annotated[str, Field(min_length=1, max_length=200)] = None
    domain: Annotated[str, Field(max_length=253)] = None
    website: Annotated[str, Field(max_length=500)] = None
    status: Prospect.Status = None
    owner_id: Id | None = None
    custom_fields: CustomFields = None
    tags: list[TagName] = Field(None, max_length=50)


class ProspectFilter(Schema):
    q: Annotated[str, Field(max_length=200)] = Field("", description="Name or domain contains.")
    status: Prospect.Status | None = None
    tag: Annotated[str, Field(max_length=60)] | None = Field(None, description="A tag name.")
    owner_id: Id | None = None
    sort: Literal["name", "-name", "status", "-status", "created", "-created"] | None = Field(
        None, description="The order: a column, descending with a leading '-' (name by default)."
    )


class ContactOut(Schema):
    id: int
    prospect_id: int
    first_name: str
    last_name: str
    full_name: str
    email: str
    phone: str
    title: str
    time_zone: str
    outreach_status: Contact.OutreachStatus
    custom_fields: dict[str, Any]
    tags: list[str]
    created_at: datetime
    updated_at: datetime

    resolve_tags = staticmethod(_tag_names)


class ContactIn(Input):
    prospect_id: Id
    first_name: Annotated[str, Field(max_length=100)] = ""
    last_name: Annotated[str, Field(max_length=100)] = ""
    email: Annotated[str, Field(max_length=254)] = ""
    phone: Annotated[str, Field(max_length=40)] = ""
    title: Annotated[str, Field(max_length=200)] = ""
    time_zone: Annotated[str, Field(max_length=64)] = ""
    custom_fields: CustomFields = Field(default_factory=dict)
    tags: list[TagName] = Field(default_factory=list, max_length=50)


class ContactPatch(Input):
    first_name: Annotated[str, Field(max_length=100)] = None
    last_name: Annotated[str, Field(max_length=100)] = None
    email: Annotated[str, Field(max_length=254)] = None
    phone: Annotated[str, Field(max_length=40)] = None
    title: Annotated[str, Field(max_length=200)] = None
    time_zone: Annotated[str, Field(max_length=64)] = None
    outreach_status: Contact.OutreachStatus = None
    custom_fields: CustomFields = None
    tags: list[TagName] = Field(None, max_length=50)


class ContactFilter(Schema):
    q: Annotated[str, Field(max_length=200)] = Field("", description="Name or email contains.")
    prospect_id: Id | None = None
    outreach_status: Contact.OutreachStatus | None = None
    tag: Annotated[str, Field(max_length=60)] | None = None
    sort: Literal["name", "-name", "email", "-email", "created", "-created"] | None = Field(
        None, description="The order: a column, descending with a leading '-' (name by default)."
    )


class StageOut(Schema):
    id: int
    name: str
    position: int


class PipelineOut(Schema):
    id: int
    name: str
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj: Any) -> list[Any]:
        return list(obj.stages.all())


class StageIn(Input):
    id: Id | None = Field(None, description="An existing stage of the pipeline; none: new.")
    name: Annotated[str, Field(min_length=1, max_length=100)]


class PipelinePatch(Input):
    name: Annotated[str, Field(min_length=1, max_length=100)] = None
    stages: list[StageIn] = Field(
        None,
        min_length=1,
        max_length=30,
        description="Every stage, in order: listed ids keep their deals, missing ones are "
        "removed (refused while they hold deals), entries without an id are added.",
    )


class PipelineIn(Input):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    stages: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        min_length=1, max_length=30
    )


class DealOut(Schema):
    id: int
    name: str
    value: Decimal
    pipeline_id: int
    stage_id: int
    stage_name: str
    prospect_id: int
    contact_id: int | None
    owner_id: int | None
    custom_fields: dict[str, Any]
    tags: list[str]
    stage_changed_at: datetime | None
    created_at: datetime
    updated_at: datetime

    resolve_tags = staticmethod(_tag_names)

    @staticmethod
    def resolve_stage_name(obj: Any) -> str:
        return obj.stage.name


class DealIn(Input):
    pipeline_id: Id
    prospect_id: Id
    name: Annotated[str, Field(min_length=1, max_length=200)]
    stage_id: Id | None = Field(None, description="Defaults to the pipeline's first stage.")
    contact_id: Id | None = None
    value: Money = Decimal("0")
    owner_id: Id | None = None
    custom_fields: CustomFields = Field(default_factory=dict)
    tags: list[TagName] = Field(default_factory=list, max_length=50)


class DealPatch(Input):
    name: Annotated[str, Field(min_length=1, max_length=200)] = None
    stage_id: Id = None
    contact_id: Id | None = None
    value: Money = None
    owner_id: Id | None = None
    custom_fields: CustomFields = None
    tags: list[TagName] = Field(None, max_length=50)


class DealFilter(Schema):
    pipeline_id: Id | None = None
    stage_id: Id | None = None
    prospect_id: Id | None = None


class TaskOut(Schema):
    id: int
    prospect_id: int
    prospect_name: str
    contact_id: int | None
    contact_name: str
    log_type: OutreachLog.Type
    channel: OutreachLog.Channel
    status: OutreachLog.Status
    subject: str
    notes: str
    priority: PriorityLabel | None
    due_at: datetime | None
    assignee_id: int | None
    created_by: str
    metadata: dict[str, Any]
    created_at: datetime
    completed_at: datetime | None

    @staticmethod
    def resolve_prospect_name(obj: Any) -> str:
        return obj.prospect.name

    @staticmethod
    def resolve_contact_name(obj: Any) -> str:
        return str(obj.contact) if obj.contact else ""

    @staticmethod
    def resolve_notes(obj: Any) -> str:
        return obj.metadata.get("notes", "")

    @staticmethod
    def resolve_priority(obj: Any) -> str | None:
        return TaskPriority(obj.priority).label if obj.priority else None

    @staticmethod
    def resolve_created_by(obj: Any) -> str:
        return obj.metadata.get("createdBy", "")


class TaskIn(Input):
    prospect_id: Id
    contact_id: Id | None = None
    channel: OutreachLog.Channel = OutreachLog.Channel.CALL
    log_type: OutreachLog.Type = OutreachLog.Type.FOLLOW_UP
    subject: Annotated[str, Field(min_length=1, max_length=300)]
    notes: Annotated[str, Field(max_length=5000)] = ""
    priority: PriorityLabel = "normal"
    due_at: UtcDatetime | None = Field(None, description="Defaults to now.")
    assignee_id: Id | None = Field(None, description="Defaults to the prospect's owner.")


class TaskPatch(Input):
    subject: Annotated[str, Field(min_length=1, max_length=300)] = None
    notes: Annotated[str, Field(max_length=5000)] = None
    priority: PriorityLabel = None
    due_at: UtcDatetime = None
    assignee_id: Id | None = None


class TaskCloseIn(Input):
    outcome: Annotated[str, Field(max_length=5000)] = Field(
        "", description="The rep's note on how it went (or why it was skipped)."
    )
    call_outcome: CallOutcome | None = Field(
        None,
        description="What happened on a call task (completing only); engagement scoring "
        "counts it: a booked meeting strongly, a refusal or a wrong number against.",
    )


class TaskSkipIn(Input):
    outcome: Annotated[str, Field(max_length=5000)] = Field("", description="Why it was skipped.")


class TaskSnoozeIn(Input):
    until: UtcDatetime = Field(description="When the task comes back into the queue, due.")


class TaskFilter(Schema):
    status: Literal["open", "done", "skipped", "all"] = "open"
    priority: PriorityLabel | None = None
    assignee_id: Id | None = None
    prospect_id: Id | None = None
    overdue: bool = Field(False, description="Only open tasks past their due time.")


class TouchIn(Input):
    kind: Literal["call", "email", "note"] = Field(
        description="A call made, an email sent from another mailbox, or a note."
    )
    subject: Annotated[str, Field(max_length=300)] = ""
    body: Annotated[str, Field(max_length=20_000)] = ""
    call_outcome: CallOutcome | None = Field(None, description="Needed for a call.")
    occurred_at: UtcDatetime | None = Field(None, description="Defaults to now.")


class OutreachLogOut(Schema):
    id: int
    contact_id: int | None
    log_type: OutreachLog.Type
    channel: OutreachLog.Channel | Literal[""] = Field(description="Blank for a note.")
    status: OutreachLog.Status
    subject: str
    body: str
    metadata: dict[str, Any]
    created_at: datetime
