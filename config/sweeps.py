"""The loop every retention sweep runs: batches, each in its own short transaction, until one
comes back short (nothing left) or the time budget is spent."""

import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db import OperationalError

T = TypeVar("T")
DEADLOCK_DETECTED = "40P01"  # PostgreSQL's SQLSTATE for a transaction aborted to end a deadlock


def in_batches(
    step: Callable[[int], int],
    *,
    batch_size: int | None = None,
    deadline: float | None = None,
) -> int:
    """Call `step(batch)` until it handles fewer than `batch` rows or `deadline` (a
    `time.monotonic()` value; RETENTION_TIME_BUDGET_SECONDS from now by default) passes;
    returns the sum of what the steps handled."""
    batch = batch_size or settings.RETENTION_BATCH_SIZE
    deadline = deadline or sweep_deadline()
    total = 0
    while time.monotonic() < deadline:
        done = step(batch)
        total += done
        if done < batch:
            break
    return total


def sweep_deadline(time_budget_seconds: float | None = None) -> float:
    budget = time_budget_seconds or settings.RETENTION_TIME_BUDGET_SECONDS
    return time.monotonic() + budget


def retrying_deadlocks(work: Callable[[], T], *, retries: int = 3) -> T:
    """Run `work`, one whole transaction, again when PostgreSQL aborts it to break a deadlock
    (at most `retries` times): it rolled back whole, so running it again loses and doubles
    nothing."""
    for _ in range(retries):
        try:
            return work()
        except OperationalError as exc:
            if getattr(exc.__cause__, "sqlstate", None) != DEADLOCK_DETECTED:
                raise
    return work()
