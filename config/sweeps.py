"""The loop every retention sweep runs: batches, each in its own short transaction, until one
comes back short (nothing left) or the time budget is spent."""

import time
from collections.abc import Callable

from django.conf import settings


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
