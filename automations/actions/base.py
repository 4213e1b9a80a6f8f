"""What every action type provides: its parameters, their form fields, the sentence that
describes it, their validation, and how it is performed."""

import builtins
import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from automations.context import RuleContext
from automations.models import Automation, AutomationEvent
from automations.options import WorkspaceOptions
from config.errors import ValidationFailed
from config.schemas import refuse_booleans_for_numbers
from outreach.models import Workspace


class ActionError(Exception):
    """The action cannot be done; the run stops as failed with this message for the admin."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TransientActionError(ActionError):
    """It may work later (a timeout, a 5xx, a 429): the run retries it a bounded number of
    times, waiting `retry_after` seconds when the other side said how long."""

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class ActionSkipped(Exception):
    """Nothing to do, on purpose (say, the contact opted out): logged, and the run goes on."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Delivery(enum.Enum):
    # A database write, made in the same transaction that records the action as done.
    TRANSACTIONAL = "transactional"
    # Sent to the outside once at most: if a worker died while sending, it is not sent again.
    AT_MOST_ONCE = "at_most_once"
    # Sent with an idempotency key; sent again with the same key when the outcome is unknown.
    IDEMPOTENT_RETRY = "idempotent_retry"


class Strict(BaseModel):
    """Parameters refuse names they do not know, so a typo is an error and not a silent no-op,
    and true or false for a number."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _numbers_are_not_booleans(cls, data: Any) -> Any:
        return refuse_booleans_for_numbers(cls, data)


@dataclass
class ActionCall:
    """Everything an action needs to do its work for one run."""

    workspace: Workspace
    automation: Automation
    event: AutomationEvent
    execution_id: int
    action_index: int
    attempt: int
    params: dict[str, Any]
    context: RuleContext

    @property
    def idempotency_key(self) -> str:
        return f"run-{self.execution_id}-action-{self.action_index}"

    def record(self, name: str) -> Any:
        """The event's contact, prospect, deal or task, as it is now; the step fails without it."""
        record = getattr(self.context, name)()
        if record is None:
            raise ActionError(f"This event names no {name} (or the {name} was deleted).")
        return record

    @property
    def marker(self) -> dict[str, int]:
        """Kept in the metadata of what the action creates, to trace it back to the run."""
        return {
            "automationId": self.automation.pk,
            "automationExecutionId": self.execution_id,
            "actionIndex": self.action_index,
        }


class Action:
    """One kind of action, defined in one place: its parameters (`Params`), their fields in the
    builder (`form_fields`, named as the parameters), the sentence that sums a step up
    (`describe`), their validation (`clean`, `check`) and the work itself (`perform`).

    Registering an instance in `ACTIONS` is all it takes to offer it in the builder, the API,
    the pages and the runner."""

    type: ClassVar[str]
    label: ClassVar[str]
    # builtins.type: in this class body `type` is the action's type name above.
    Params: ClassVar[builtins.type[BaseModel]]
    delivery: ClassVar[Delivery] = Delivery.TRANSACTIONAL
    # Parameters that hold `{{ variables }}`.
    templated: ClassVar[tuple[str, ...]] = ()
    # Whether `perform` may change the event's records (its contact, prospect, deal or task),
    # not only add rows beside them: a batch of runs reads its contacts once, for all of its
    # runs, until an action that does runs (see `runner.run.Batch`).
    changes_records: ClassVar[bool] = True

    # --- the builder and the pages ---------------------------------------------------------------

    def form_fields(self, options: WorkspaceOptions) -> dict[str, forms.Field]:
        """The builder's fields, one per parameter and named as it is."""
        return {}

    def to_form(self, params: dict[str, Any]) -> dict[str, Any]:
        """Stored parameters as the initial values of the form fields."""
        return dict(params)

    def from_form(self, values: dict[str, Any]) -> dict[str, Any]:
        """The form's cleaned values as parameters for `clean`."""
        params = {}
        for name, value in values.items():
            field = self.Params.model_fields.get(name)
            if value in ("", None) and field is not None and not field.is_required():
                # Left empty: the parameter's default applies.
                continue
            params[name] = str(value) if isinstance(value, Decimal) else value
        return params

    def describe(self, params: dict[str, Any], options: WorkspaceOptions) -> str:
        """The step as a sentence for the lists: 'Add the tag “hot” to the contact'.

        `params` are as stored when the step was saved, perhaps by an older version of the
        action: read them with defaults."""
        return self.label

    # --- validation and work ---------------------------------------------------------------------

    def clean(self, params: Any, *, workspace: Workspace) -> dict[str, Any]:
        """Validated parameters as stored, or ValidationFailed keyed by parameter name."""
        try:
            model = self.Params.model_validate(params or {})
        except ValidationError as exc:
            errors: dict[str, list[str]] = {}
            for error in exc.errors():
                name = ".".join(str(part) for part in error["loc"]) or "__all__"
                errors.setdefault(name, []).append(error["msg"].removeprefix("Value error, "))
            raise ValidationFailed(_first(errors), field_errors=errors) from exc
        cleaned = model.model_dump(mode="json")
        self.check(cleaned, workspace=workspace)
        return cleaned

    def check(self, params: dict[str, Any], *, workspace: Workspace) -> None:
        """Checks that need the database (the tag or stage is in this workspace…)."""

    def perform(self, call: ActionCall) -> dict[str, Any]:
        raise NotImplementedError

    def record(self, call: ActionCall, result: dict[str, Any]) -> None:
        """For outside deliveries: database writes made when the action is recorded as done."""

    def render(self, call: ActionCall, name: str) -> str:
        return call.context.render(call.params.get(name) or "")


def _first(errors: dict[str, list[str]]) -> str:
    for field, messages in errors.items():
        return f"{field}: {messages[0]}"
    return "Invalid parameters."
