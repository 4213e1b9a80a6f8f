"""Request and response shapes of the automations API."""

from datetime import datetime
from typing import Annotated, Any, Literal, Union

from ninja import Field, Schema
from pydantic import create_model

from automations.actions import ACTIONS
from automations.conditions import OPERATORS
from automations.models import AutomationExecution, TriggerType
from automations.services import MAX_ACTIONS, MAX_DELAY_SECONDS
from config.schemas import Id, Input
from outreach.models import OutreachLog

Name = Annotated[str, Field(min_length=1, max_length=200)]
Path = Annotated[str, Field(min_length=1, max_length=140, description="e.g. deal.value")]
Scalar = str | int | float | bool
Operator = Literal[tuple(OPERATORS)]  # type: ignore[valid-type]


class TriggerConfigIn(Input):
    """Narrows the trigger; a filter left out matches everything."""

    pipeline_id: Id | None = None
    stage_id: Id | None = Field(None, description="For deal triggers: the stage moved to.")
    tag_id: Id | None = None
    field: Path | None = Field(None, description="For field.changed, e.g. contact.title.")
    keyword: Annotated[str, Field(max_length=100)] | None = None
    channel: OutreachLog.Channel | None = None


class ConditionIn(Input):
    field: Path = Field(description="contact.*, prospect.*, deal.*, task.*, tag.* or event.*")
    operator: Operator
    value: Scalar | list[Scalar] | None = None


class ConditionSubgroupIn(Input):
    op: Literal["and", "or"] = "and"
    conditions: list[ConditionIn] = Field(default_factory=list, max_length=50)


class ConditionGroupIn(Input):
    op: Literal["and", "or"] = "and"
    conditions: list[ConditionIn | ConditionSubgroupIn] = Field(default_factory=list, max_length=50)


def _action_schema(action_type: str, params: type) -> type[Schema]:
    camel = "".join(part.title() for part in action_type.split("_"))
    return create_model(
        f"{camel}ActionIn",
        __base__=Input,
        type=(
            Annotated[Literal[action_type], Field(json_schema_extra={"enum": [action_type]})],
            ...,
        ),
        params=(params, ...),
        delay_seconds=(
            Annotated[int, Field(ge=0, le=MAX_DELAY_SECONDS, description="Wait this long first.")],
            0,
        ),
    )


ActionIn = Annotated[
    Union[tuple(_action_schema(a.type, a.Params) for a in ACTIONS.values())],  # noqa: UP007
    Field(discriminator="type"),
]


class AutomationIn(Input):
    name: Name
    description: Annotated[str, Field(max_length=2000)] = ""
    trigger_type: TriggerType
    trigger_config: TriggerConfigIn = Field(default_factory=TriggerConfigIn)
    conditions: ConditionGroupIn = Field(default_factory=ConditionGroupIn)
    actions: list[ActionIn] = Field(min_length=1, max_length=MAX_ACTIONS)
    enabled: bool = False


class AutomationPatch(Input):
    name: Name = None
    description: Annotated[str, Field(max_length=2000)] = None
    trigger_type: TriggerType = None
    trigger_config: TriggerConfigIn = None
    conditions: ConditionGroupIn = None
    actions: list[ActionIn] = Field(None, min_length=1, max_length=MAX_ACTIONS)
    enabled: bool = None


class AutomationOut(Schema):
    id: int
    name: str
    description: str
    trigger_type: TriggerType
    trigger_config: dict[str, Any]
    conditions: dict[str, Any]
    actions: list[dict[str, Any]]
    enabled: bool
    signing_secret_hint: str = Field(description="The start of the webhook signing secret.")
    created_at: datetime
    updated_at: datetime


class AutomationListOut(AutomationOut):
    last_run_at: datetime | None
    active_run_count: int


class AutomationCreatedOut(AutomationOut):
    signing_secret: str = Field(
        description="Signs webhook calls (X-Crm-Signature). Shown this once and never again."
    )


class SigningSecretOut(Schema):
    signing_secret: str = Field(description="The new secret. Shown this once and never again.")


class FieldChangeIn(Input):
    name: Path
    old: Scalar | None = None
    new: Scalar | None = None


class MessageIn(Input):
    channel: OutreachLog.Channel = OutreachLog.Channel.EMAIL
    subject: Annotated[str, Field(max_length=300)] = ""
    body: Annotated[str, Field(max_length=5000)] = ""


class DryRunIn(Input):
    """A sample event: the records it is about, and what happened to them."""

    deal_id: Id | None = None
    task_id: Id | None = None
    contact_id: Id | None = None
    prospect_id: Id | None = None
    tag_id: Id | None = None
    from_stage_id: Id | None = Field(None, description="For deal.stage_changed.")
    field: FieldChangeIn | None = Field(None, description="For field.changed.")
    message: MessageIn | None = Field(None, description="For message triggers.")
    keyword: Annotated[str, Field(max_length=100)] | None = None


class DryRunOut(Schema):
    event: dict[str, Any]
    matches_trigger: bool
    conditions_met: bool
    conditions: list[dict[str, Any]]
    would_run: bool
    actions: list[dict[str, Any]]


class EventOut(Schema):
    id: int
    event_type: str
    payload: dict[str, Any]
    cascade_depth: int
    status: str
    status_reason: str
    caused_by_execution_id: int | None
    caused_by_action_index: int | None
    created_at: datetime


class ActionRunOut(Schema):
    action_index: int
    action_type: str
    status: str
    attempts: int
    due_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    duration_ms: int | None
    result: dict[str, Any]
    error: str


class ExecutionOut(Schema):
    id: int
    automation_id: int
    automation_name: str
    status: AutomationExecution.Status
    reason: str
    cascade_depth: int
    next_action_index: int
    failed_action_index: int | None
    resume_at: datetime | None
    retries: list[dict[str, Any]]
    created_at: datetime
    finished_at: datetime | None
    trigger_event: EventOut
    action_log: list[ActionRunOut]

    @staticmethod
    def resolve_automation_name(obj: Any) -> str:
        return obj.automation.name

    @staticmethod
    def resolve_trigger_event(obj: Any) -> Any:
        return obj.event

    @staticmethod
    def resolve_action_log(obj: Any) -> list[Any]:
        return list(obj.action_runs.all())


class CausedRunOut(Schema):
    id: int
    automation_id: int
    automation_name: str
    status: str

    @staticmethod
    def resolve_automation_name(obj: Any) -> str:
        return obj.automation.name


class CausedEventOut(EventOut):
    runs: list[CausedRunOut]

    @staticmethod
    def resolve_runs(obj: Any) -> list[Any]:
        return list(obj.executions.all())


class ExecutionDetailOut(ExecutionOut):
    caused_events: list[CausedEventOut] = Field(
        description="Events this run's actions caused, and the runs they started."
    )

    @staticmethod
    def resolve_caused_events(obj: Any) -> list[Any]:
        return list(obj.caused_events.all())


class ExecutionFilter(Schema):
    automation_id: Id | None = None
    status: AutomationExecution.Status | None = None
