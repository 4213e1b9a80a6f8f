"""Settings and the Celery app: limits are really set and bad environment values fail loudly."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.celery import app
from config.env import env_bool, env_int, env_list


def test_celery_tasks_have_hard_and_soft_time_limits():
    assert app.conf.task_time_limit == 300
    assert app.conf.task_soft_time_limit == 240
    assert app.conf.task_soft_time_limit < app.conf.task_time_limit


def test_every_beat_entry_expires_so_a_late_run_is_dropped():
    for name, entry in app.conf.beat_schedule.items():
        assert "task" in entry, name
        assert entry.get("options", {}).get("expires"), f"{name} has no expires"


def test_a_malformed_boolean_stops_start_up(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG", False)


def test_a_malformed_number_stops_start_up(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER"):
        env_int("SOME_NUMBER", 1)


def test_environment_values_are_read(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "yes")
    monkeypatch.setenv("SOME_NUMBER", "42")
    monkeypatch.setenv("SOME_LIST", "a.example, b.example,")
    assert env_bool("SOME_FLAG", False) is True
    assert env_int("SOME_NUMBER", 1) == 42
    assert env_list("SOME_LIST", []) == ["a.example", "b.example"]


def test_every_module_imports_first_from_a_cold_start():
    """Whatever a process imports first (a worker its task modules, the web its URLs, a command
    its services), no circular import stops it. Each module is imported in turn with every
    project module that django.setup() did not load forgotten again."""
    script = """
import importlib, pkgutil, sys
import django
django.setup()
loaded_by_setup = set(sys.modules)
apps = ["config", "outreach", "engagement", "automations", "campaigns", "media_pipeline"]
names = []
for app in apps:
    try:
        package = importlib.import_module(app)
    except ModuleNotFoundError:
        continue
    names.append(app)
    for info in pkgutil.walk_packages(package.__path__, app + "."):
        if ".migrations" not in info.name and not info.name.endswith(".wsgi"):
            names.append(info.name)
failures = []
for name in names:
    for loaded in [m for m in sys.modules if m.split(".")[0] in apps]:
        if loaded not in loaded_by_setup:
            del sys.modules[loaded]
            parent, _, child = loaded.rpartition(".")
            # "from package import module" finds a module left as the package's attribute.
            if parent in sys.modules and hasattr(sys.modules[parent], child):
                delattr(sys.modules[parent], child)
    try:
        importlib.import_module(name)
    except Exception as exc:  # an import cycle shows as ImportError or AttributeError
        failures.append(f"{name}: {exc}")
print(len(names))
print("\\n".join(failures))
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    count, _, failures = result.stdout.partition("\n")
    assert int(count) > 50
    assert not failures.strip(), failures


def test_workers_keep_their_database_connection_between_tasks():
    """Celery closes Django's connection around every task unless told to reuse it; a new
    PostgreSQL connection per task cost more than the tasks themselves."""
    assert app.conf.get("CELERY_DB_REUSE_MAX", 0) >= 100


def settings_in_a_fresh_process(tmp_path, *names: str, **environ: str) -> list[str]:
    """The values config.settings gives these names when started from this environment."""
    script = f"from config import settings\nfor name in {names!r}: print(getattr(settings, name))"
    unset = {"SITE_URL", "WEB_PORT", "REDIS_URL", "DATABASE_URL"}
    env = {key: value for key, value in os.environ.items() if key not in unset}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env={**env, "VAR_DIR": str(tmp_path), **environ},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.splitlines()


def test_links_point_at_the_port_the_app_is_served_on(tmp_path):
    assert settings_in_a_fresh_process(tmp_path, "SITE_URL") == ["http://127.0.0.1:8000"]
    assert settings_in_a_fresh_process(tmp_path, "SITE_URL", WEB_PORT="8123") == [
        "http://127.0.0.1:8123"
    ]
    assert settings_in_a_fresh_process(
        tmp_path, "SITE_URL", WEB_PORT="8123", SITE_URL="https://crm.example.com/"
    ) == ["https://crm.example.com"]


def test_the_embedded_queue_works_without_kombu_warning_of_a_missing_host(tmp_path):
    """With REDIS_URL unset the broker is kombu's filesystem transport; a URL without a host
    made kombu warn "No hostname was supplied" in every worker and beat start-up."""
    script = """
import logging, os
logging.basicConfig(level=logging.WARNING)
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
import django
django.setup()
from config.celery import app
with app.connection_for_write() as connection:
    print(connection.transport_cls, connection.info()["hostname"])
    queue = connection.SimpleQueue("config-check")
    queue.put({"hello": "queue"})
    print(queue.get(timeout=5).payload)
    queue.close()
"""
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env={**env, "VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines() == ["filesystem localhost", "{'hello': 'queue'}"]
    assert "hostname" not in result.stderr, result.stderr


def test_a_worker_reserves_only_what_it_runs_and_publishing_gives_up_quickly():
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_publish_retry_policy["max_retries"] <= 1
    assert "outbox-sweep" in app.conf.beat_schedule


def test_redis_redelivers_only_after_any_task_may_still_be_running(tmp_path):
    redis_url = "redis://127.0.0.1:6379/8"
    [options] = settings_in_a_fresh_process(
        tmp_path, "CELERY_BROKER_TRANSPORT_OPTIONS", REDIS_URL=redis_url
    )
    assert "'visibility_timeout': 360" in options  # the 300 s hard limit, and a minute

    script = "import config.settings"
    env = {**os.environ, "VAR_DIR": str(tmp_path), "REDIS_URL": redis_url}
    env.update(CELERY_VISIBILITY_TIMEOUT="120", CELERY_TASK_TIME_LIMIT="300")
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "CELERY_VISIBILITY_TIMEOUT must be above CELERY_TASK_TIME_LIMIT" in result.stderr
