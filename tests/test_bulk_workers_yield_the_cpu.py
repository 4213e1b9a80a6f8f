"""A worker of the bulk queue alone lowers its CPU priority; the other workers keep theirs."""

from types import SimpleNamespace
from unittest import mock

import pytest

from config import celery


def worker(*queues: str) -> SimpleNamespace:
    consume_from = {name: object() for name in queues} or None
    return SimpleNamespace(app=SimpleNamespace(amqp=SimpleNamespace(queues=SimpleNamespace(
        consume_from=consume_from
    ))))  # fmt: skip


def test_a_bulk_worker_lowers_its_cpu_priority():
    with mock.patch.object(celery.os, "nice") as nice:
        celery._bulk_work_yields_the_cpu(sender=worker("bulk"))
    nice.assert_called_once_with(19)


@pytest.mark.parametrize(
    "queues", [("interactive",), ("sweeps",), ("bulk", "interactive"), ()], ids=str
)
def test_workers_someone_waits_on_keep_their_priority(queues):
    with mock.patch.object(celery.os, "nice") as nice:
        celery._bulk_work_yields_the_cpu(sender=worker(*queues))
    nice.assert_not_called()


def test_a_niceness_of_zero_keeps_the_bulk_worker_as_it_is():
    with (
        mock.patch.object(celery, "BULK_WORKER_NICENESS", 0),
        mock.patch.object(celery.os, "nice") as nice,
    ):
        celery._bulk_work_yields_the_cpu(sender=worker("bulk"))
    nice.assert_not_called()
