"""Events to runs: the automations an event triggers, each a run, leased to this worker when a
slot is free and queued otherwise."""

import logging
import uuid

from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction
from django.utils import timezone

from automations.conditions import conditions_met, matches_trigger_config
from automations.context import RuleContext
from automations.events import hand_events_to_workers
from automations.models import (
    Automation,
    AutomationEvent,
    AutomationExecution,
)
from automations.runner.run import RunInProgress, in_time
from automations.runner.slots import free_slots, lease_expiry, mark_queued
from outreach.models import Workspace

logger = logging.getLogger(__name__)
Run = AutomationExecution


def events_process(*, event_ids: list[int], budget_seconds: float) -> int:
    """Process these events one after the other, within the time budget (see `in_time`). An
    event that fails is logged and left pending for the redispatch sweep; the others go on.
    Returns how many runs were started."""

    def hand_on(rest: list[AutomationEvent]) -> None:
        hand_events_to_workers([event.pk for event in rest])

    started, rules = 0, _Rules()
    for event in in_time(_pending_events(event_ids), budget_seconds, hand_on=hand_on):
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
            RunInProgress(run, token, steps={}).run()
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
            free = free_slots(event.workspace_id, now)
            for i, run in enumerate(runs):
                token = uuid.uuid4() if i < free else None
                tokens.append(token)
                if token is None:
                    run.status = Run.Status.QUEUED
                else:
                    run.lease_token, run.lease_expires_at = token, lease_expiry()
            Run.objects.bulk_create(runs)
            if len(runs) > free:
                mark_queued(event.workspace_id)
    return list(zip(runs, tokens, strict=True))
