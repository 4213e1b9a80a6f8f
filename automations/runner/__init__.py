"""The automation runner: turns dispatched events into runs and performs each run's actions in
order, durably, with each action done once.

How a run moves
---------------
`events_process` takes a batch of pending events (the ones a transaction emitted) a few at a
time: the leading events of one workspace, as many as its free run slots take. For them, in one
transaction, it keeps the enabled automations whose trigger filter and conditions hold, marks
each event dispatched (only one worker can) and creates one `running`
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
  performs the action from scratch. The runs a dispatch just leased whose actions are all of
  this kind share one transaction (`run.Batch`: one commit, one UPDATE ending the runs and one
  INSERT of their log rows for the lot): killed half-way, they are all undone and all still
  leased, as one run alone would be; an action that fails, or a run stopped meanwhile, undoes
  the batch too, and each run is run again alone. Two workers racing for the same action
  serialise on the run's row lock, and the second one's conditional UPDATE matches nothing,
  so it rolls back.
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

The package, by topic: `dispatch` (events to runs), `run` (one run's actions), `slots` (leases
and the per-workspace slots) and `sweeps` (what beat hands out again).
"""

from automations.runner.dispatch import event_dispatch, events_process
from automations.runner.run import DISABLED, execution_run, executions_run, retry_delay
from automations.runner.slots import enqueue_runs, hand_on_slot
from automations.runner.sweeps import (
    events_redispatch,
    executions_recover,
    executions_resume_due,
    executions_sweep,
)

__all__ = [
    "DISABLED",
    "enqueue_runs",
    "event_dispatch",
    "events_process",
    "events_redispatch",
    "execution_run",
    "executions_recover",
    "executions_resume_due",
    "executions_run",
    "executions_sweep",
    "hand_on_slot",
    "retry_delay",
]
