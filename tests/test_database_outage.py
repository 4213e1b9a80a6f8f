"""PostgreSQL unreachable: the API answers 503 JSON with Retry-After, pages answer the friendly
503 page, readiness answers 503 while liveness stays 200; all recover when it is back.

gunicorn runs as a subprocess and reaches PostgreSQL through a TCP proxy this test cuts: every
open connection is closed and new ones are refused, as when the server goes away."""

import json

import pytest

from outreach.models import Role
from tests.factories import ProspectFactory, WizardLinkFactory, api_key_for
from tests.outages import needs_redis_server, wait_until

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    needs_redis_server,
    pytest.mark.timeout(240),
]


def test_with_the_database_unreachable_the_api_and_readiness_answer_503(
    workspace, web_behind_a_database_proxy, database_proxy
):
    web = web_behind_a_database_proxy
    key = api_key_for(workspace, role=Role.ADMIN)
    link = WizardLinkFactory(prospect=ProspectFactory(workspace=workspace))
    auth = {"Authorization": f"Bearer {key}"}
    base = web.start_web()
    assert web.get(f"{base}/readyz")[0] == 200, web.tail()
    assert web.get(f"{base}/api/v1/prospects", auth)[0] == 200, web.tail()
    assert web.get(f"{base}/w/{link.token}/")[0] == 200, web.tail()

    database_proxy.cut()

    status, headers, body = web.get(f"{base}/api/v1/prospects", auth)
    assert status == 503, (status, body, web.tail())
    assert headers["Content-Type"] == "application/json"
    assert "detail" in json.loads(body)
    assert int(headers["Retry-After"]) > 0

    status, headers, body = web.get(f"{base}/w/{link.token}/")
    assert status == 503
    assert headers["Content-Type"].startswith("text/html")
    assert b"Back in a moment" in body
    assert "Retry-After" in headers

    status, headers, body = web.get(f"{base}/readyz")
    assert status == 503
    assert json.loads(body)["checks"] == {"database": "unreachable", "broker": "ok"}
    assert web.get(f"{base}/livez")[0] == 200
    assert web.get(f"{base}/healthz")[0] == 200
    assert "Traceback" not in web.log.read_text()

    database_proxy.restore()
    wait_until(
        lambda: web.get(f"{base}/readyz")[0] == 200,
        seconds=30,
        what="readiness is back",
        log=web.tail(),
    )
    assert web.get(f"{base}/api/v1/prospects", auth)[0] == 200
    assert web.get(f"{base}/w/{link.token}/")[0] == 200
