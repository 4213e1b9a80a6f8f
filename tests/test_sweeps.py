"""A sweep's batch that PostgreSQL aborts to end a deadlock is taken again; other errors are not."""

import pytest
from django.db import OperationalError

from config.sweeps import retrying_deadlocks


class PostgresError(Exception):
    def __init__(self, sqlstate: str):
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def failing(sqlstate: str, times: int):
    calls = []

    def work() -> str:
        calls.append(1)
        if len(calls) <= times:
            raise OperationalError("aborted") from PostgresError(sqlstate)
        return "done"

    return work, calls


def test_a_batch_aborted_by_a_deadlock_runs_again():
    work, calls = failing("40P01", times=2)
    assert retrying_deadlocks(work) == "done"
    assert len(calls) == 3


def test_a_batch_that_keeps_deadlocking_fails_after_its_retries():
    work, calls = failing("40P01", times=10)
    with pytest.raises(OperationalError):
        retrying_deadlocks(work, retries=3)
    assert len(calls) == 4


def test_other_database_errors_are_not_retried():
    work, calls = failing("57014", times=1)  # statement timeout
    with pytest.raises(OperationalError):
        retrying_deadlocks(work)
    assert len(calls) == 1
