"""The automation runner: turns dispatched events into runs and performs each run's actions in
order, durably, with each action done once.

How a run moves
---------------
`events_process` takes a batch of pending events (the ones a transaction emitted). For each,
in one transaction, it keeps the enabled automations whose trigger filter and conditions hold,
marks the event dispatched (only one worker can) and creates one `running`
AutomationExecution per automation (with a copy of the actions). Each run also gets its
*lease* there: a token and an expiry that say which worker holds it. At most
AUTOMATION_MAX_CONCURRENT_RUNS runs of a workspace hold a lease at once (counted under a lock
on the workspace row, so two workers cannot both take the last slot); the others are `queued`
(and the workspace flagged) and handed on as slots free. Every action is
claimed by a conditional UPDATE that checks, in the action's own transaction, that the worker
still holds the lease, that nobody stopped the run and that the automation is still enabled
(else the run is `cancelled`). A delay parks the run: `waiting` with `resume_at`, lease given
back, and the beat sweep `executions_resume_due` hands it to a worker when it is due. No
Celery countdowns: a parked run is only a row. A worker that dies leaves a lease that
expires; `executions_recover` hands such runs (and runs whose task message was lost) to a
worker again. The database is the source of truth; the queue only says "look at run N".

Why no action is performed twice for one run
--------------------------------------------
Every write the runner makes is conditional on the run's lease token and on
`next_action_index` still pointing at the action, and each action is logged in an
AutomationActionRun row that is unique per (run, action index). Then, by kind of action:

* Database actions (tags, stages, tasks, fields, deals, notifications) are performed inside the
  same transaction that moves `next_action_index` on and logs the action as done. Either all of
  it commits or none of it does: a worker killed half-way leaves no trace, and the next worker
  performs the action from scratch. Two workers racing for the same action serialise on the
  run's row lock, and the second one's conditional UPDATE matches nothing, so it rolls back.
* Emails are sent at most once: the action row is committed as `running` before the send and
  recorded as done right after. A worker that finds a `running` email row cannot know whether
  the email left, so it does not send it again: the run fails with that explanation, and an
  admin who checked can retry it.
* Webhooks are sent with an `Idempotency-Key` that is the same on every attempt
  (`run-<id>-action-<index>`). An attempt whose outcome is unknown is sent again with the same
  key, which a receiver uses to ignore the repeat: delivery at least once, effect once.

Transient failures (timeouts, connection errors, 408/429/5xx) park the run for a backoff
(Retry-After when given, capped) and are retried up to AUTOMATION_ACTION_MAX_ATTEMPTS times in
all; anything else fails the run at that action, with the error in its log.
"""

import logging
import random
import time
import uuid
from collections.abc import Iterable, Iterator
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import Q
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
from automations.conditions import conditions_met, matches_trigger_config
from automations.context import RuleContext
from automations.events import Cause, caused_by, hand_events_to_workers
from automations.models import (
    Automation,
    AutomationActionRun,
    AutomationEvent,
    AutomationExecution,
)
from config.errors import ApplicationError
from outreach.models import Workspace

logger = logging.getLogger(__name__)

Run = AutomationExecution
Step = AutomationActionRun
T = TypeVar("T")
# Runs handed to one task by the sweeps: enough to save messages, few enough to spread out.
RUNS_PER_TASK = 20
IN_DOUBT_EMAIL = (
    "A worker stopped while this email was being sent, so it is not known whether it went "
    "out. It was not sent again, so the contact cannot get it twice: check the contact's "
    "outreach log, and retry the run if the email is not there."
)


class _LeaseLost(Exception):
    """Someone else holds the run now (it was stopped, or our lease ran out)."""


class _Disabled(Exception):
    """The automation was switched off: the run stops before its next action."""


DISABLED = "The automation was disabled, so the run stopped here."


# --- events -> runs ----------------------------------------------------------------------------


def events_process(*, event_ids: list[int], budget_seconds: float) -> int:
    """Process these events one after the other, within the time budget (see `_in_time`). An
    event that fails is logged and left pending for the redispatch sweep; the others go on.
    Returns how many runs were started."""

    def hand_on(rest: list[AutomationEvent]) -> None:
        hand_events_to_workers([event.pk for event in rest])

    started, rules = 0, _Rules()
    for event in _in_time(_pending_events(event_ids), budget_seconds, hand_on=hand_on):
        try:
            started += len(_dispatch_and_run(event, rules))
        except SoftTimeLimitExceeded:
            raise
        except Exception:
            logger.exception(
                "Automation event %s failed to dispatch; the sweep retries it", event.pk
            )
    return started


def event_dispatch(*, event_id: int) -> list[int]:
    """Create a run for each enabled automation the event triggers; mark the event dispatched.
    Runs that got a slot are leased to the caller (to run them now); the others are `queued`."""
    events = _pending_events([event_id])
    return [run.pk for run, _ in _dispatch(events[0], _Rules())] if events else []


def _pending_events(event_ids: list[int]) -> list[AutomationEvent]:
    """The events still to dispatch, in order, each workspace loaded once for all of them."""
    events = list(
        AutomationEvent.objects.filter(
            pk__in=event_ids, status=AutomationEvent.Status.PENDING
        ).order_by("pk")
    )
    workspaces = Workspace.objects.in_bulk({event.workspace_id for event in events})
    # A workspace deleted meanwhile took its events with it.
    events = [event for event in events if event.workspace_id in workspaces]
    for event in events:
        event.workspace = workspaces[event.workspace_id]
    return events


class _Rules:
    """The enabled automations of each workspace and trigger type, loaded once for a batch of
    events. Every event of a batch was emitted before the batch started, so each is matched
    against the rules as they were after it happened; a rule disabled since is caught by the
    check before each action, which cancels the run."""

    def __init__(self) -> None:
        self._loaded: dict[tuple[int, str], list[Automation]] = {}

    def for_event(self, event: AutomationEvent) -> list[Automation]:
        key = (event.workspace_id, event.event_type)
        if key not in self._loaded:
            self._loaded[key] = list(
                Automation.objects.filter(
                    workspace_id=event.workspace_id, trigger_type=event.event_type, enabled=True
                ).order_by("pk")
            )
        return self._loaded[key]


def _dispatch_and_run(event: AutomationEvent, rules: _Rules) -> list[Run]:
    started = _dispatch(event, rules)
    for run, token in started:
        if token is not None:
            _RunInProgress(run, token, steps={}).run()
    return [run for run, _ in started]


def _dispatch(event: AutomationEvent, rules: _Rules) -> list[tuple[Run, uuid.UUID | None]]:
    now = timezone.now()
    with transaction.atomic():
        context = RuleContext(
            workspace_id=event.workspace_id, event_type=event.event_type, payload=event.payload
        )
        runs = [
            Run(
                workspace=event.workspace,
                automation=automation,
                event=event,
                cascade_depth=event.cascade_depth,
                actions=automation.actions,
                enqueued_at=now,
            )
            for automation in rules.for_event(event)
            if matches_trigger_config(
                trigger_type=automation.trigger_type,
                config=automation.trigger_config,
                event_type=event.event_type,
                payload=event.payload,
            )
            and conditions_met(automation.conditions, context)
        ]
        # Taking the event is what makes the runs ours to create: a worker that finds it
        # dispatched already (by the safety net, say) creates nothing.
        taken = AutomationEvent.objects.filter(
            pk=event.pk, status=AutomationEvent.Status.PENDING
        ).update(
            status=AutomationEvent.Status.DISPATCHED,
            dispatched_at=now,
            status_reason="" if runs else "No automation's conditions held.",
        )
        if not taken:
            return []
        tokens: list[uuid.UUID | None] = []
        if runs:
            # New runs take the free slots at once, leased to this worker; the rest queue.
            free = _free_slots(event.workspace_id, now)
            for i, run in enumerate(runs):
                token = uuid.uuid4() if i < free else None
                tokens.append(token)
                if token is None:
                    run.status = Run.Status.QUEUED
                else:
                    run.lease_token, run.lease_expires_at = token, _lease_expiry()
            Run.objects.bulk_create(runs)
            if len(runs) > free:
                _mark_queued(event.workspace_id)
    return list(zip(runs, tokens, strict=True))


# --- one run -----------------------------------------------------------------------------------


def executions_run(*, execution_ids: list[int], budget_seconds: float) -> int:
    """Run these runs one after the other, within the time budget (see `_in_time`). Returns
    how many ran."""

    def hand_on(rest: list[int]) -> None:
        with transaction.atomic():
            enqueue_runs(rest)

    runs = _in_time(execution_ids, budget_seconds, hand_on=hand_on)
    return sum(execution_run(execution_id=execution_id) is not None for execution_id in runs)


def _in_time(items: list[T], budget_seconds: float, *, hand_on) -> Iterator[T]:
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
    token = _claim(execution_id)
    if token is None:
        return None
    execution = Run.objects.select_related("automation", "event", "workspace").get(pk=execution_id)
    steps = {step.action_index: step for step in execution.action_runs.all()}
    return _RunInProgress(execution, token, steps=steps).run()


class _RunInProgress:
    """One worker's go at a run it holds the lease of, up to a park or the end."""

    def __init__(self, execution: Run, token: uuid.UUID, *, steps: dict[int, Step]):
        self.execution = execution
        self.token = token
        self.steps = steps
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

    def perform_outside(self, action: Action, call: ActionCall) -> str | None:
        started, clock = timezone.now(), time.monotonic()
        index = call.action_index
        try:
            with transaction.atomic():
                # Committed before the outside call: a worker that finds this row `running`
                # knows an attempt may have reached the other side.
                self.claim_action(index, lease_expires_at=_lease_expiry())
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
                lease_expires_at=_lease_expiry(),
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
        hand_on_slot(workspace_id=self.execution.workspace_id)
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
        hand_on_slot(workspace_id=self.execution.workspace_id)
        return status

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
        if step is not None:
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


def _lease_expiry():
    return timezone.now() + timedelta(seconds=settings.AUTOMATION_RUN_LEASE_SECONDS)


# --- leases and the per-workspace slots --------------------------------------------------------


def _claim(execution_id: int) -> uuid.UUID | None:
    """Take the run's lease if it is free and the workspace has a free run slot."""
    now = timezone.now()
    free = Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now)
    active = [Run.Status.RUNNING, Run.Status.QUEUED]
    with transaction.atomic():
        workspace_id = (
            Run.objects.filter(free, pk=execution_id, status__in=active)
            .values_list("workspace_id", flat=True)
            .first()
        )
        if workspace_id is None:
            return None
        if _free_slots(workspace_id, now) < 1:
            Run.objects.filter(free, pk=execution_id, status=Run.Status.RUNNING).update(
                status=Run.Status.QUEUED
            )
            _mark_queued(workspace_id)
            return None
        token = uuid.uuid4()
        claimed = Run.objects.filter(free, pk=execution_id, status__in=active).update(
            status=Run.Status.RUNNING, lease_token=token, lease_expires_at=_lease_expiry()
        )
    return token if claimed else None


def _free_slots(workspace_id: int, now) -> int:
    """Run slots of the workspace nobody holds, counted under the workspace's lock (so two
    workers cannot both take the last one); the lock is held until the caller commits."""
    _lock_workspace(workspace_id)
    limit = settings.AUTOMATION_MAX_CONCURRENT_RUNS
    busy = Run.objects.filter(
        workspace_id=workspace_id, status=Run.Status.RUNNING, lease_expires_at__gt=now
    ).values_list("pk", flat=True)[:limit]
    return limit - len(busy)


def hand_on_slot(*, workspace_id: int) -> None:
    """A slot freed (in the caller's transaction): start the workspace's oldest queued run."""
    # The same lock as _free_slots: a run queued while we looked is seen here (with the
    # workspace's flag that says runs are queued), or saw our freed slot itself.
    if not _lock_workspace(workspace_id):
        return
    queued = list(
        Run.objects.select_for_update(skip_locked=True)
        .filter(workspace_id=workspace_id, status=Run.Status.QUEUED)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:1]
    )
    if queued:
        Run.objects.filter(pk__in=queued).update(
            status=Run.Status.RUNNING, enqueued_at=timezone.now()
        )
        enqueue_runs(queued)
    else:
        # Queued runs that another transaction has locked are being handed to a worker
        # already; if they find no slot there, they set the flag again.
        Workspace.objects.filter(pk=workspace_id).update(automation_runs_queued=False)


def _lock_workspace(workspace_id: int) -> bool:
    """Lock the workspace row for run-slot bookkeeping; returns whether runs may be queued."""
    # FOR NO KEY UPDATE: serialises run-slot bookkeeping without blocking the inserts of rows
    # that point at the workspace (they take FOR KEY SHARE).
    locked = (
        Workspace.objects.select_for_update(no_key=True)
        .filter(pk=workspace_id)
        .values_list("automation_runs_queued", flat=True)
    )
    return any(locked)


def _mark_queued(workspace_id: int) -> None:
    """Runs of the workspace wait for a slot (under the lock, in the caller's transaction)."""
    Workspace.objects.filter(pk=workspace_id).update(automation_runs_queued=True)


def enqueue_runs(execution_ids: Iterable[int]) -> None:
    """Ask workers to run these runs once the current transaction commits."""
    from automations import tasks

    ids = list(execution_ids)
    for start in range(0, len(ids), RUNS_PER_TASK):
        chunk = ids[start : start + RUNS_PER_TASK]
        transaction.on_commit(partial(tasks.run_executions.delay, chunk))


# --- sweeps ------------------------------------------------------------------------------------


def executions_sweep() -> int:
    """The beat sweep: resume the runs that are due, then recover the stalled ones."""
    return executions_resume_due() + executions_recover()


def executions_resume_due(*, batch_size: int = 1000, max_batches: int = 20) -> int:
    """Wake the parked runs whose delay (or retry backoff) is over; return how many."""
    woken = 0
    for _ in range(max_batches):
        now = timezone.now()
        with transaction.atomic():
            due = list(
                Run.objects.select_for_update(skip_locked=True)
                .filter(status=Run.Status.WAITING, resume_at__lte=now)
                .order_by("resume_at")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not due:
                break
            Run.objects.filter(pk__in=due, status=Run.Status.WAITING).update(
                status=Run.Status.RUNNING, resume_at=None, resumed_at=now, enqueued_at=now
            )
            enqueue_runs(due)
        woken += len(due)
        if len(due) < batch_size:
            break
    return woken


def executions_recover(*, batch_size: int = 500) -> int:
    """Hand to a worker again the runs nobody is working on: a lease that expired (its worker
    died), or a run whose task never arrived."""
    now = timezone.now()
    forgotten = now - timedelta(seconds=settings.AUTOMATION_REQUEUE_AFTER_SECONDS)
    with transaction.atomic():
        stalled = list(
            Run.objects.select_for_update(skip_locked=True)
            .filter(status__in=[Run.Status.RUNNING, Run.Status.QUEUED])
            .filter(
                Q(lease_expires_at__lt=now)
                | Q(lease_expires_at__isnull=True, enqueued_at__lt=forgotten)
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if stalled:
            Run.objects.filter(pk__in=stalled).update(enqueued_at=now)
            enqueue_runs(stalled)
    if stalled:
        logger.info("Handed %s stalled automation runs to workers again", len(stalled))
    return len(stalled)


def events_redispatch(*, batch_size: int = 200) -> int:
    """The safety net for the after-commit dispatch: events still pending after a while."""
    forgotten = timezone.now() - timedelta(seconds=settings.AUTOMATION_REQUEUE_AFTER_SECONDS)
    pending = list(
        AutomationEvent.objects.filter(
            status=AutomationEvent.Status.PENDING, created_at__lt=forgotten
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:batch_size]
    )
    hand_events_to_workers(pending)
    return len(pending)
