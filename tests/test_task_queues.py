"""Every task goes to the queue of who waits for it, and every queue has workers."""

import re
import shlex
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from config.celery import app
from config.queues import BULK, INTERACTIVE, QUEUE_NAMES, QUEUE_OF_TASK, SWEEPS

ROOT = Path(settings.BASE_DIR)


def queue_of(task_name: str) -> str:
    route = app.amqp.router.route({}, task_name)
    return route["queue"].name


def product_tasks() -> set[str]:
    app.loader.import_default_modules()
    return {name for name in app.tasks if not name.startswith("celery.")}


def test_every_task_of_the_product_is_listed_with_its_queue():
    unlisted = product_tasks() - set(QUEUE_OF_TASK)
    assert not unlisted, f"add these tasks to config/queues.py: {sorted(unlisted)}"
    assert not set(QUEUE_OF_TASK) - product_tasks(), "config/queues.py lists a task that is gone"


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("outreach.engagement_call_task_create", INTERACTIVE),
        ("outreach.process_reply", INTERACTIVE),
        ("outreach.mail.send_email", INTERACTIVE),
        ("automations.run_executions", INTERACTIVE),
        ("outreach.cadence_sweep", SWEEPS),
        ("media_pipeline.sweep", SWEEPS),
        ("media_pipeline.run", BULK),
        ("engagement.compute_workspace_scores", BULK),
        # Tasks other parts of the product add find their family by name.
        ("outreach.crm.import_contacts", BULK),
        ("reports.rollup_daily", BULK),
        ("outreach.outbox_sweep", SWEEPS),
    ],
)
def test_tasks_go_to_the_queue_of_who_waits_for_them(task_name, queue):
    assert queue_of(task_name) == queue


def test_a_task_sent_for_real_names_its_queue_in_the_message():
    message = app.amqp.as_task_v2("id-1", "media_pipeline.run", args=(1,))
    route = app.amqp.router.route({}, "media_pipeline.run", args=(1,))
    assert route["queue"].name == BULK
    assert route["queue"].routing_key == BULK
    assert message.headers["task"] == "media_pipeline.run"


def test_beat_jobs_go_to_the_sweeps_queue_or_bulk_for_batches():
    for entry in app.conf.beat_schedule.values():
        assert queue_of(entry["task"]) in {SWEEPS, BULK}, entry["task"]
    assert queue_of("engagement.compute_scores") == BULK


def worker_queues(commands: list[list[str]]) -> dict[str, list[str]]:
    """{queue: the --concurrency of each worker command consuming it}."""
    consumed: dict[str, list[str]] = {}
    for words in commands:
        if "worker" not in words:
            continue
        options = dict(
            word.removeprefix("--").split("=", 1) for word in words if re.match(r"--\w+=", word)
        )
        assert "queues" in options, f"a worker consumes every queue: {shlex.join(words)}"
        for queue in options["queues"].split(","):
            consumed.setdefault(queue, []).append(options.get("concurrency", "cores"))
    return consumed


def test_make_run_starts_one_worker_per_queue():
    commands = [
        shlex.split(line.split(":", 1)[1])
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    consumed = worker_queues(commands)
    assert sorted(consumed) == sorted(QUEUE_NAMES)
    assert all(len(workers) == 1 for workers in consumed.values())


def test_docker_compose_runs_a_service_per_queue_that_scales_on_its_own():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    commands = [service["command"] for service in services.values() if "command" in service]
    consumed = worker_queues(commands)
    assert sorted(consumed) == sorted(QUEUE_NAMES)
    # Interactive tasks wait on the network: more slots than the CPU-bound bulk queue.
    assert int(consumed[INTERACTIVE][0]) > int(consumed[SWEEPS][0])
    assert consumed[BULK] == ["cores"]
