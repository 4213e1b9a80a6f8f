"""One run: its actions performed in order from where it stands, each done once."""

import logging
import random
import time
import uuid
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any, TypeVar

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from pydantic import ValidationError

from automations.actions import (
    ACTIONS,
    Action,
    ActionCall,
    ActionError,
    ActionSkipped,
    Delivery,
    TransientActionError,
)
from automations.context import RuleContext
from automations.events import Cause, caused_by
from automations.models import (
    AutomationActionRun,
    AutomationExecution,
)
from automations.runner.slots import claim, enqueue_runs, hand_on_slot, lease_expiry
from config.errors import ApplicationError
from outreach.models import Contact

Step = AutomationActionRun


T = TypeVar("T")


IN_DOUBT_EMAIL = (
    "A worker stopped while this email was being sent, so it is not known whether it went "
    "out. It was not sent again, so the contact cannot get it twice: check the contact's "
    "outreach log, and retry the run if the email is not there."
)

logger = logging.getLogger(__name__)
Run = AutomationExecution


class _LeaseLost(Exception):
    """Someone else holds the run now (it was stopped, or our lease ran out)."""


class _Disabled(Exception):
    """The automation was switched off: the run stops before its next action."""


DISABLED = "The automation was disabled, so the run stopped here."


def executions_run(*, execution_ids: list[int], budget_seconds: float) -> int:
    """Run these runs one after the other, within the time budget (see `in_time`). Returns
    how many ran."""

    def hand_on(rest: list[int]) -> None:
        with transaction.atomic():
            enqueue_runs(rest)

    runs = in_time(execution_ids, budget_seconds, hand_on=hand_on)
    return sum(execution_run(execution_id=execution_id) is not None for execution_id in runs)


def in_time(items: list[T], budget_seconds: float, *, hand_on) -> Iterator[T]:
    """Yield the items one by one; once the time budget is spent, give the ones left to
    `hand_on` (another task), so a long batch never meets Celery's time limit."""
    deadline = time.monotonic() + budget_seconds
    for position, item in enumerate(items):
        if time.monotonic() >= deadline:
            hand_on(items[position:])
            return
        yield item


def execution_run(*, execution_id: int) -> str | None:
    """Perform the run's actions from where it stands; return its status when we stopped, or
    None when someone else has it (or it is not ours to run now)."""
    token = claim(execution_id)
    if token is None:
        return None
    execution = Run.objects.select_related("automation", "event", "workspace").get(pk=execution_id)
    steps = {step.action_index: step for step in execution.action_runs.all()}
    return RunInProgress(execution, token, steps=steps).run()


class BatchFailed(Exception):
    """A run of a batch did not go as planned (an action failed, a run was stopped): the batch's
    transaction must roll back, and its runs be run again one by one."""


class Batch:
    """Runs performed together in the caller's transaction, whose actions are all database
    writes (see `dispatch._run_leased`). Nothing of a batch is kept unless all of it is: so an
    action takes no savepoint of its own, the step log rows are written together at the end,
    and so are the conditional UPDATEs that end the runs, which check that each run is still
    ours, at its last action, and its automation still enabled. An action that raises (it
    failed, or had nothing to do) or a run found stopped raises BatchFailed: the caller rolls
    the whole batch back, and each run goes again alone, where every case has its own answer.

    `nobody_queued`: the caller holds the workspace's lock and saw no run of it queued: none
    can queue before it commits, so a slot a run frees has nobody to go to."""

    def __init__(self, *, workspace_id: int, nobody_queued: bool, contact_ids: Iterable[int]):
        self.nobody_queued = nobody_queued
        self.steps: list[Step] = []
        # Runs to end at the flush, by the index of their last action: {index: {run id: token}}.
        self.endings: dict[int, dict[int, uuid.UUID]] = {}
        # The runs' contacts (with their prospects) in one query, as they are now; given to the
        # runs while no action of the batch has changed a record (`Action.changes_records`).
        ids = set(contact_ids)
        self.contacts: dict[int, Contact] | None = (
            Contact.objects.select_related("prospect")
            .filter(workspace_id=workspace_id)
            .in_bulk(ids)
            if ids
            else None
        )

    def lend_records(self, context: RuleContext) -> None:
        """Give the run's context the contact read for the batch, if it is still as read."""
        contact_id = context.entity_id("contact")
        if self.contacts is not None and contact_id in self.contacts:
            context.know("contact", self.contacts[contact_id])

    def records_change(self) -> None:
        self.contacts = None

    def end(self, execution_id: int, token: uuid.UUID, index: int) -> None:
        self.endings.setdefault(index, {})[execution_id] = token

    def flush(self) -> None:
        """Write what the runs deferred; raise BatchFailed if a run is no longer ours to end."""
        now = timezone.now()
        for index, tokens in self.endings.items():
            # A lease token is a fresh UUID per lease, so "one of these runs, holding one of
            # these tokens" is "each run holding its own".
            ended = Run.objects.filter(
                pk__in=tokens,
                lease_token__in=tokens.values(),
                status=Run.Status.RUNNING,
                next_action_index=index,
                automation__enabled=True,
            ).update(
                next_action_index=index + 1,
                status=Run.Status.COMPLETED,
                finished_at=now,
                lease_token=None,
                lease_expires_at=None,
            )
            if ended != len(tokens):
                raise BatchFailed(f"{len(tokens) - ended} run(s) of the batch were stopped")
        Step.objects.bulk_create(self.steps)
        self.steps, self.endings = [], {}


class RunInProgress:
    """One worker's go at a run it holds the lease of, up to a park or the end."""

    def __init__(
        self,
        execution: Run,
        token: uuid.UUID,
        *,
        steps: dict[int, Step],
        batch: Batch | None = None,
    ):
        self.execution = execution
        self.token = token
        self.steps = steps
        self.batch = batch
        # Where the run stands; while we hold the lease, only we move it.
        self.index = execution.next_action_index
        self.context = RuleContext(
            workspace_id=execution.workspace_id,
            event_type=execution.event.event_type,
            payload=execution.event.payload,
        )

    def run(self) -> str | None:
        try:
            status = None
            while status is None:
                status = self.next_step()
            return status
        except _LeaseLost:
            if self.batch is not None:
                raise BatchFailed(f"run {self.execution.pk} is no longer ours") from None
            return None

    def mine(self, **conditions: Any):
        return Run.objects.filter(
            pk=self.execution.pk, lease_token=self.token, status=Run.Status.RUNNING, **conditions
        )

    def next_step(self) -> str | None:
        """Do the next action; return the run's status if it stopped (parked, ended).

        Whether the run is still ours and its automation still enabled is checked by the
        conditional UPDATE that claims each action, in the action's own transaction.
        """
        index = self.index
        if index >= len(self.execution.actions):
            with transaction.atomic():
                return self.release(Run.Status.COMPLETED, finished_at=timezone.now())
        spec = self.execution.actions[index]
        action = ACTIONS.get(spec.get("type", ""))
        step = self.steps.get(index)
        now = timezone.now()
        if step is not None and step.status in {Step.Status.SUCCEEDED, Step.Status.SKIPPED}:
            # Logged as done but the run did not move on: cannot happen, as both are written
            # in one transaction, but moving on is the only safe answer.
            self.mine(next_action_index=index).update(next_action_index=index + 1)
            self.index += 1
            return None
        if step is None and spec.get("delay_seconds"):
            return self.park(index, now + timedelta(seconds=spec["delay_seconds"]))
        if step is not None and step.due_at and step.due_at > now:
            return self.park(index, step.due_at)
        if action is None:
            return self.fail(index, spec.get("type", "?"), 1, "This kind of action is gone.")
        attempt = (step.attempts if step else 0) + 1
        if step is not None and step.status == Step.Status.RUNNING:
            if action.delivery is Delivery.AT_MOST_ONCE:
                return self.fail(index, action.type, step.attempts, IN_DOUBT_EMAIL)
            logger.info(
                "Run %s: action %s was interrupted; doing it again", self.execution.pk, index
            )
        try:
            # Stored parameters get the defaults of options added since the rule was saved.
            params = action.Params.model_validate(spec.get("params", {})).model_dump(mode="json")
        except ValidationError as exc:
            return self.fail(index, action.type, attempt, f"The step's settings are invalid: {exc}")
        call = ActionCall(
            workspace=self.execution.workspace,
            automation=self.execution.automation,
            event=self.execution.event,
            execution_id=self.execution.pk,
            action_index=index,
            attempt=attempt,
            params=params,
            context=self.context,
        )
        try:
            if action.delivery is Delivery.TRANSACTIONAL:
                return self.perform_in_transaction(action, call)
            return self.perform_outside(action, call)
        finally:
            self.context.forget()

    def cause(self, index: int) -> Cause:
        return Cause(
            execution_id=self.execution.pk,
            action_index=index,
            cascade_depth=self.execution.cascade_depth,
        )

    def perform_in_transaction(self, action: Action, call: ActionCall) -> str | None:
        started, clock = timezone.now(), time.monotonic()
        index = call.action_index
        if self.batch is not None:
            return self.perform_in_batch(self.batch, action, call, started, clock)
        try:
            with transaction.atomic():
                status = self.advance(index)
                with caused_by(self.cause(index)):
                    result = action.perform(call)
                self.log(call, action, Step.Status.SUCCEEDED, started, clock, result=result)
                return status
        except _Disabled:
            return self.cancel(index, DISABLED)
        except _LeaseLost:
            raise
        except Exception as exc:
            return self.after_failure(action, call, exc, started, clock)

    def perform_in_batch(
        self, batch: Batch, action: Action, call: ActionCall, started, clock: float
    ) -> str | None:
        """The action in the batch's transaction, with no savepoint: whatever it raises rolls
        the batch back (see `Batch`)."""
        index = call.action_index
        try:
            if index + 1 < len(self.execution.actions):
                status = self.advance(index)
            else:
                # The UPDATE that ends the run is made with the batch's others at its end.
                batch.end(self.execution.pk, self.token, index)
                self.index = index + 1
                status = Run.Status.COMPLETED
            if action.changes_records:
                batch.records_change()
            else:
                batch.lend_records(self.context)
            with caused_by(self.cause(index)):
                result = action.perform(call)
        except SoftTimeLimitExceeded:
            raise
        except Exception as exc:
            raise BatchFailed(f"run {self.execution.pk}, action {index}: {exc!r}") from exc
        self.log(call, action, Step.Status.SUCCEEDED, started, clock, result=result)
        if status == Run.Status.COMPLETED:
            self.hand_on_slot()
        return status

    def perform_outside(self, action: Action, call: ActionCall) -> str | None:
        started, clock = timezone.now(), time.monotonic()
        index = call.action_index
        try:
            with transaction.atomic():
                # Committed before the outside call: a worker that finds this row `running`
                # knows an attempt may have reached the other side.
                self.claim_action(index, lease_expires_at=lease_expiry())
                self.log(call, action, Step.Status.RUNNING, started)
        except _Disabled:
            return self.cancel(index, DISABLED)
        try:
            result = action.perform(call)
        except Exception as exc:
            return self.after_failure(action, call, exc, started, clock)
        lost = False
        with transaction.atomic():
            try:
                # The action is done: whether the rule is still on is for the next one to ask.
                status = self.advance(index, check_enabled=False)
            except _LeaseLost:
                # Done is done, even if the run was stopped while the call was in flight.
                lost = True
            with caused_by(self.cause(index)):
                action.record(call, result)
            self.log(call, action, Step.Status.SUCCEEDED, started, clock, result=result)
        if lost:
            raise _LeaseLost
        return status

    def after_failure(self, action, call, exc: Exception, started, clock: float) -> str | None:
        """What an action that did not succeed leads to: skip it, retry later, or fail."""
        if isinstance(exc, SoftTimeLimitExceeded):
            # The task is out of time, not the action at fault: the lease runs out and the
            # run is picked up again where it stands.
            raise exc
        if isinstance(exc, ActionSkipped):
            return self.skip(action, call, exc, started, clock)
        if isinstance(exc, TransientActionError):
            return self.retry_later(action, call, exc, started, clock)
        if isinstance(exc, ActionError | ApplicationError):
            message = exc.message
        else:
            # A bug or an outage inside an action must not leave the run spinning: log it in
            # full for the engineers and fail the run with a readable reason for the admin.
            logger.exception(
                "Run %s, action %s (%s) crashed", call.execution_id, call.action_index, action.type
            )
            message = f"Unexpected error: {exc}"
        return self.fail(call.action_index, action.type, call.attempt, message, started, clock)

    def claim_action(self, index: int, *, check_enabled: bool = True, **changes: Any) -> None:
        """The conditional UPDATE every action goes through (in the caller's transaction):
        the run is still ours, at this action, and its automation still enabled."""
        conditions = {"next_action_index": index}
        if check_enabled:
            conditions["automation__enabled"] = True
        if not self.mine(**conditions).update(**changes):
            still_ours = self.mine().values_list("automation__enabled", flat=True).first()
            if still_ours is False:
                raise _Disabled
            raise _LeaseLost

    def advance(self, index: int, *, check_enabled: bool = True) -> str | None:
        """Move past the action (in the caller's transaction); the last one ends the run."""
        if index + 1 < len(self.execution.actions):
            self.claim_action(
                index,
                check_enabled=check_enabled,
                next_action_index=index + 1,
                lease_expires_at=lease_expiry(),
            )
            self.index = index + 1
            return None
        self.claim_action(
            index,
            check_enabled=check_enabled,
            next_action_index=index + 1,
            status=Run.Status.COMPLETED,
            finished_at=timezone.now(),
            lease_token=None,
            lease_expires_at=None,
        )
        self.index = index + 1
        self.hand_on_slot()
        return Run.Status.COMPLETED

    def skip(self, action, call, skipped: ActionSkipped, started, clock: float) -> str | None:
        try:
            with transaction.atomic():
                status = self.advance(call.action_index)
                result = {"skipped": skipped.reason}
                self.log(call, action, Step.Status.SKIPPED, started, clock, result=result)
        except _Disabled:
            return self.cancel(call.action_index, DISABLED)
        return status

    def retry_later(self, action, call, exc: TransientActionError, started, clock) -> str:
        if call.attempt >= settings.AUTOMATION_ACTION_MAX_ATTEMPTS:
            message = f"{exc.message} Gave up after {call.attempt} attempts."
            return self.fail(call.action_index, action.type, call.attempt, message, started, clock)
        wait = retry_delay(attempt=call.attempt, retry_after=exc.retry_after)
        due = timezone.now() + timedelta(seconds=wait)
        with transaction.atomic():
            status = self.release(Run.Status.WAITING, resume_at=due)
            self.log(
                call,
                action,
                Step.Status.RETRYING,
                started,
                clock,
                error=exc.message,
                result={"retry_in_seconds": round(wait)},
                due_at=due,
            )
        return status

    def park(self, index: int, due) -> str:
        with transaction.atomic():
            status = self.release(Run.Status.WAITING, resume_at=due)
            if index in self.steps:
                Step.objects.filter(pk=self.steps[index].pk).update(due_at=due)
            else:
                self.steps[index] = Step.objects.create(
                    execution_id=self.execution.pk,
                    action_index=index,
                    action_type=self.execution.actions[index].get("type", ""),
                    status=Step.Status.SCHEDULED,
                    due_at=due,
                )
        return status

    def fail(self, index, action_type, attempt, message, started=None, clock=None) -> str:
        now = timezone.now()
        with transaction.atomic():
            status = self.release(
                Run.Status.FAILED, reason=message, failed_action_index=index, finished_at=now
            )
            self.write_step(
                index,
                action_type,
                status=Step.Status.FAILED,
                attempts=attempt,
                error=message,
                started_at=started or now,
                finished_at=now,
                duration_ms=_ms(clock),
            )
        return status

    def cancel(self, index: int, reason: str) -> str:
        with transaction.atomic():
            status = self.release(Run.Status.CANCELLED, reason=reason, finished_at=timezone.now())
            Step.objects.filter(
                execution_id=self.execution.pk,
                action_index=index,
                status__in=[Step.Status.SCHEDULED, Step.Status.RETRYING],
            ).update(status=Step.Status.CANCELLED, due_at=None)
        return status

    def release(self, status: str, **changes: Any) -> str:
        """Give the lease and the run slot back (in the caller's transaction)."""
        if not self.mine().update(
            status=status, lease_token=None, lease_expires_at=None, **changes
        ):
            raise _LeaseLost
        self.hand_on_slot()
        return status

    def hand_on_slot(self) -> None:
        if self.batch is None or not self.batch.nobody_queued:
            hand_on_slot(workspace_id=self.execution.workspace_id)

    def log(self, call, action, status, started, clock=None, *, result=None, error="", due_at=None):
        finished = status != Step.Status.RUNNING
        self.write_step(
            call.action_index,
            action.type,
            status=status,
            attempts=call.attempt,
            started_at=started,
            finished_at=timezone.now() if finished else None,
            duration_ms=_ms(clock) if finished else None,
            result=result or {},
            error=error,
            due_at=due_at,
        )

    def write_step(self, index: int, action_type: str, **fields: Any) -> None:
        step = self.steps.get(index)
        if step is None and self.batch is not None:
            # Written with the batch's other steps at its end.
            self.steps[index] = step = Step(
                execution_id=self.execution.pk,
                action_index=index,
                action_type=action_type,
                **fields,
            )
            self.batch.steps.append(step)
        elif step is not None:
            Step.objects.filter(pk=step.pk).update(action_type=action_type, **fields)
            for name, value in fields.items():
                setattr(step, name, value)
        else:
            self.steps[index] = Step.objects.create(
                execution_id=self.execution.pk,
                action_index=index,
                action_type=action_type,
                **fields,
            )


def retry_delay(*, attempt: int, retry_after: float | None) -> float:
    """Seconds before the next attempt: what the server asked (capped), or exponential backoff
    with a little jitter so that retries from many runs do not arrive together."""
    cap = settings.AUTOMATION_RETRY_MAX_DELAY_SECONDS
    if retry_after is not None:
        return min(max(retry_after, 1.0), cap)
    base = settings.AUTOMATION_RETRY_BASE_DELAY_SECONDS * 2 ** (attempt - 1)
    return min(base * random.uniform(1.0, 1.2), cap)


def _ms(clock: float | None) -> int | None:
    return None if clock is None else round((time.monotonic() - clock) * 1000)
