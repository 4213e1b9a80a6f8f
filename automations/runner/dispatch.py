"""Events to runs: the automations an event triggers, each a run, leased to this worker when a
slot is free and queued otherwise."""

import logging
import time
import uuid
from collections.abc import Iterable

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from automations.actions import ACTIONS, Delivery
from automations.conditions import conditions_met, matches_trigger_config
from automations.context import RuleContext
from automations.events import hand_events_to_workers
from automations.models import (
    Automation,
    AutomationEvent,
    AutomationExecution,
)
from automations.runner.run import Batch, BatchFailed, RunInProgress
from automations.runner.slots import free_slots, lease_expiry, lock_workspace, mark_queued
from outreach.models import Workspace

logger = logging.getLogger(__name__)
Run = AutomationExecution


def events_process(*, event_ids: list[int], budget_seconds: float) -> int:
    """Process these events, within the time budget: once it is spent, the rest go to another
    task. Events of one workspace are dispatched a few at a time in one transaction (as many as
    its free run slots take), then their runs are run (see `_run_leased`). An event that fails
    is logged and left pending for the redispatch sweep; the others go on. Returns how many
    runs were started."""
    deadline = time.monotonic() + budget_seconds
    pending = _pending_events(event_ids)
    started, rules = 0, _Rules()
    # After a group fails, its events are tried one at a time, so one bad event stays pending
    # alone and the others are dispatched.
    alone = 0
    while pending:
        if time.monotonic() >= deadline:
            hand_events_to_workers([event.pk for event in pending])
            break
        # More events than run slots could not all run now: the extra ones would only queue.
        size = 1 if alone else settings.AUTOMATION_MAX_CONCURRENT_RUNS
        group = _leading_group(pending, size=size)
        try:
            with transaction.atomic():
                handled, runs = _dispatch(group, rules)
        except SoftTimeLimitExceeded:
            raise
        except Exception:
            if len(group) > 1:
                alone = len(group)
                continue
            logger.exception(
                "Automation event %s failed to dispatch; the sweep retries it", group[0].pk
            )
            handled, runs = 1, []
        del pending[:handled]
        alone = max(alone - handled, 0)
        started += len(runs)
        _run_leased([(run, token) for run, token in runs if token is not None])
    return started


def _run_leased(runs: list[tuple[Run, uuid.UUID]]) -> None:
    """Run the runs just leased to us (all of one workspace). Those whose actions are all
    database writes go in one transaction, a `Batch`: one commit for the lot, all of it kept
    or none. A worker killed half-way rolls it all back and leaves the runs leased, as a worker
    killed in one action would; an action that fails, or a run stopped meanwhile, rolls it
    back too, and each run is run again alone, where a failure is the run's own. Runs that
    call the outside go one by one: what they send must be committed as sent, one at a time."""
    together = [(run, token) for run, token in runs if _database_only(run)]
    alone = [(run, token) for run, token in runs if not _database_only(run)]
    if len(together) > 1:
        try:
            with transaction.atomic():
                # Held until we commit: no run of the workspace can queue meanwhile.
                queued = lock_workspace(together[0][0].workspace_id)
                batch = Batch(
                    workspace_id=together[0][0].workspace_id,
                    nobody_queued=not queued,
                    contact_ids=_contact_ids(run for run, _ in together),
                )
                for run, token in together:
                    RunInProgress(run, token, steps={}, batch=batch).run()
                batch.flush()
        except SoftTimeLimitExceeded:
            raise
        except BatchFailed as exc:
            logger.info("Running a batch of automation runs one by one: %s", exc)
            alone = together + alone
        except Exception:
            # Rolled back; our leases are intact, so each run is tried again on its own.
            logger.warning(
                "A batch of automation runs failed; running them one by one", exc_info=True
            )
            alone = together + alone
    else:
        alone = together + alone
    for run, token in alone:
        _run(run, token)


def _contact_ids(runs: Iterable[Run]) -> set[int]:
    """The contacts named by the events of the runs whose first action leaves records as they
    are (the ones a batch can read once for all of them)."""
    ids = set()
    for run in runs:
        first = ACTIONS.get(run.actions[0].get("type", "")) if run.actions else None
        contact = run.event.payload.get("contact")
        if (
            first is not None
            and not first.changes_records
            and isinstance(contact, dict)
            and isinstance(contact.get("id"), int)
        ):
            ids.add(contact["id"])
    return ids


def _database_only(run: Run) -> bool:
    return all(
        getattr(ACTIONS.get(spec.get("type", "")), "delivery", Delivery.TRANSACTIONAL)
        is Delivery.TRANSACTIONAL
        for spec in run.actions
    )


def _run(run: Run, token: uuid.UUID) -> None:
    try:
        RunInProgress(run, token, steps={}).run()
    except SoftTimeLimitExceeded:
        raise
    except Exception:
        # Its lease runs out and the sweep hands it to a worker again.
        logger.exception("Automation run %s stopped on an error; the sweep retries it", run.pk)


def event_dispatch(*, event_id: int) -> list[int]:
    """Create a run for each enabled automation the event triggers; mark the event dispatched.
    Runs that got a slot are leased to the caller (to run them now); the others are `queued`."""
    events = _pending_events([event_id])
    if not events:
        return []
    with transaction.atomic():
        return [run.pk for run, _ in _dispatch(events, _Rules())[1]]


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


def _leading_group(events: list[AutomationEvent], *, size: int) -> list[AutomationEvent]:
    """The first events of the list, up to `size` of them, while they share a workspace."""
    workspace_id = events[0].workspace_id
    group = []
    for event in events[:size]:
        if event.workspace_id != workspace_id:
            break
        group.append(event)
    return group


def _runs_for(event: AutomationEvent, rules: _Rules, now) -> list[Run]:
    """A run for each enabled automation whose trigger filter and conditions the event meets."""
    context = RuleContext(
        workspace_id=event.workspace_id, event_type=event.event_type, payload=event.payload
    )
    return [
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


def _dispatch(
    events: list[AutomationEvent], rules: _Rules
) -> tuple[int, list[tuple[Run, uuid.UUID | None]]]:
    """Dispatch the first events of `events` (one workspace's), in the caller's transaction:
    as many as the workspace's free run slots take, and at least one. Returns how many of the
    events were handled (dispatched here, or by another worker already) and the runs created,
    each with the lease token it was given, or None when it queued for a slot."""
    now = timezone.now()
    workspace_id = events[0].workspace_id
    # Matched before any lock is taken: conditions may read records, and the workspace's lock
    # is wanted by every worker finishing a run of it.
    matched = [(event, _runs_for(event, rules, now)) for event in events]
    # The workspace lock first, as everywhere else in the runner; the events' rows after.
    free = free_slots(workspace_id, now) if any(runs for _, runs in matched) else 0
    chosen, wanted = [matched[0]], len(matched[0][1])
    for event, runs in matched[1:]:
        if wanted + len(runs) > free:
            break
        chosen.append((event, runs))
        wanted += len(runs)
    handled = len(chosen)
    # Taking an event is what makes its runs ours to create: an event another worker
    # dispatched already (the safety net's copy, say) gets nothing from us.
    taken = set(
        AutomationEvent.objects.select_for_update()
        .filter(pk__in=[event.pk for event, _ in chosen], status=AutomationEvent.Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    chosen = [(event, runs) for event, runs in chosen if event.pk in taken]
    for with_runs in (True, False):
        ids = [event.pk for event, runs in chosen if bool(runs) is with_runs]
        if ids:
            AutomationEvent.objects.filter(pk__in=ids).update(
                status=AutomationEvent.Status.DISPATCHED,
                dispatched_at=now,
                status_reason="" if with_runs else "No automation's conditions held.",
            )
    runs = [run for _, event_runs in chosen for run in event_runs]
    tokens: list[uuid.UUID | None] = []
    if runs:
        # New runs take the free slots at once, leased to this worker; the rest queue.
        for i, run in enumerate(runs):
            token = uuid.uuid4() if i < free else None
            tokens.append(token)
            if token is None:
                run.status = Run.Status.QUEUED
            else:
                run.lease_token, run.lease_expires_at = token, lease_expiry()
        Run.objects.bulk_create(runs)
        if len(runs) > free:
            mark_queued(workspace_id)
    return handled, list(zip(runs, tokens, strict=True))
