"""The cache fails open: with its Redis stopped, reads are misses and writes are skipped with a
warning, so the wizard (whose rate limit counts in the cache) keeps answering."""

import logging

import pytest
from django.core.cache import cache

from config.cache import FailOpenRedisCache
from tests.factories import ProspectFactory, WizardLinkFactory
from tests.outages import PrivateRedis, needs_redis_server

pytestmark = needs_redis_server


@pytest.fixture
def redis_cache(tmp_path, settings):
    server = PrivateRedis(tmp_path)
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
    yield server
    server.stop()


def test_reads_miss_and_writes_are_skipped_while_redis_is_down(redis_cache, caplog, monkeypatch):
    # The warning is logged once per interval per process: make this the first.
    monkeypatch.setattr(FailOpenRedisCache, "_last_warning", -1e9)
    cache.set("greeting", "hello")
    assert cache.get("greeting") == "hello"
    assert cache.add("greeting-count", 0)
    assert cache.incr("greeting-count") == 1

    redis_cache.stop()
    with caplog.at_level(logging.WARNING):
        assert cache.get("greeting", "missing") == "missing"
        assert cache.add("other", 1) is False
        cache.set("other", 1)
        assert cache.incr("greeting-count") == 1
        assert cache.get_many(["greeting"]) == {}
    assert "Cache unreachable" in caplog.text


def test_the_wizard_answers_while_its_rate_limit_cannot_count(
    redis_cache, settings, workspace, prospect_client
):
    settings.WIZARD_TOKEN_MISSES_PER_WINDOW = 2
    link = WizardLinkFactory(prospect=ProspectFactory(workspace=workspace))
    redis_cache.stop()
    wrong = [prospect_client.get(f"/w/{'B' * 32}/").status_code for _ in range(4)]
    pages = [prospect_client.get(f"/w/{link.token}/{step}/").status_code for step in (1, 2, 3)]
    assert wrong == [404] * 4  # nothing can be counted, so nobody is refused
    assert pages == [200, 200, 200]

    redis_cache.start()  # back, empty: counting starts again
    wrong = [prospect_client.get(f"/w/{'B' * 32}/").status_code for _ in range(3)]
    assert wrong == [404, 404, 429]
