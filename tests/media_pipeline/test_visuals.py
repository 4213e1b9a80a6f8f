"""Scene visuals: cards drawn offline, and a hosted image API polled by job id."""

import io
import json

import httpx
import pytest
from PIL import Image

from media_pipeline.providers.base import PICTURE_SIZE, ProviderError, SceneVisualRequest
from media_pipeline.providers.visuals import HostedImageIllustrator, SceneCardIllustrator
from tests.media_pipeline.fakes import png_of


def scene(**changes) -> SceneVisualRequest:
    values = {
        "index": 1,
        "scene_count": 4,
        "prompt": "Invoices flying into an inbox, flat illustration",
        "headline": "Get paid on time",
        "caption": "Acme follows up on every overdue invoice.",
        "company": "Acme",
        "sender_company": "Northwind Revenue",
        "colors": ("#f97316",),
    }
    return SceneVisualRequest(**{**values, **changes})


def test_a_scene_card_is_drawn_in_the_prospects_brand_colour():
    png = SceneCardIllustrator().illustrate(scene(), report=lambda external_id: None)

    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == PICTURE_SIZE
    # The background is a dark shade of the brand's orange: red well above blue.
    r, _, b = image.convert("RGB").resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    assert r > b + 20
    # White words are on it.
    assert image.convert("L").getextrema()[1] > 240


def test_a_card_without_research_colours_still_draws():
    png = SceneCardIllustrator().illustrate(scene(colors=(), headline="x" * 300), lambda _: None)
    assert Image.open(io.BytesIO(png)).size == PICTURE_SIZE


# --- The hosted image API ------------------------------------------------------------------------


class ImageApi:
    """A Replicate-style predictions API: starting, processing, then succeeded."""

    def __init__(self, *, polls_before_done: int = 2, final: dict | None = None):
        self.requests: list[httpx.Request] = []
        self.polls = 0
        self.polls_before_done = polls_before_done
        self.final = final or {
            "status": "succeeded",
            "output": ["https://replicate.delivery/xezq/abc/out-0.png"],
        }

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.method == "POST":
            return httpx.Response(
                201,
                json={
                    "id": "gm3qorzdhgbfurvjtvhg6dckhu",
                    "model": "black-forest-labs/flux-schnell",
                    "status": "starting",
                    "output": None,
                    "error": None,
                    "urls": {"get": "https://api.replicate.com/v1/predictions/gm3q"},
                },
            )
        if request.url.host == "replicate.delivery":
            return httpx.Response(200, content=png_of(), headers={"content-type": "image/png"})
        self.polls += 1
        if self.polls <= self.polls_before_done:
            status = "starting" if self.polls == 1 else "processing"
            return httpx.Response(200, json={"id": "gm3q", "status": status, "output": None})
        return httpx.Response(200, json={"id": "gm3q", **self.final})


def illustrator(api, **options) -> HostedImageIllustrator:
    return HostedImageIllustrator(
        base_url="https://api.replicate.com/v1",
        api_key="r8_test",
        model="black-forest-labs/flux-schnell",
        transport=httpx.MockTransport(api),
        sleep=lambda seconds: None,
        **options,
    )


def test_it_submits_a_job_polls_it_by_id_and_downloads_the_picture():
    api = ImageApi()
    reported = []

    png = illustrator(api).illustrate(scene(), report=reported.append)

    create = api.requests[0]
    assert create.url.path == "/v1/models/black-forest-labs/flux-schnell/predictions"
    assert create.headers["authorization"] == "Bearer r8_test"
    assert json.loads(create.content)["input"]["prompt"] == scene().prompt
    assert reported == ["gm3qorzdhgbfurvjtvhg6dckhu"]
    polls = [r for r in api.requests if r.url.path.startswith("/v1/predictions/")]
    assert len(polls) == 3
    assert polls[0].url.path == "/v1/predictions/gm3qorzdhgbfurvjtvhg6dckhu"
    assert Image.open(io.BytesIO(png)).size == PICTURE_SIZE


def test_a_resumed_attempt_polls_the_job_it_already_has():
    api = ImageApi(polls_before_done=0)

    illustrator(api).illustrate(scene(external_id="gm3q-earlier"), report=pytest.fail)

    assert not [r for r in api.requests if r.method == "POST"]
    assert api.requests[0].url.path == "/v1/predictions/gm3q-earlier"


def test_a_failed_job_is_worth_another_attempt():
    api = ImageApi(final={"status": "failed", "error": "CUDA out of memory", "output": None})

    with pytest.raises(ProviderError, match="failed the job: CUDA out of memory") as error:
        illustrator(api).illustrate(scene(), report=lambda _: None)
    assert error.value.transient


def test_a_job_that_never_finishes_stops_being_polled():
    api = ImageApi(polls_before_done=10_000)

    with pytest.raises(ProviderError, match="did not finish within 0 seconds") as error:
        illustrator(api, poll_timeout=0).illustrate(scene(), report=lambda _: None)
    assert error.value.transient
    assert api.polls == 1


def test_a_rate_limited_submission_is_retried_later():
    def handler(request):
        return httpx.Response(
            429, headers={"retry-after": "8"}, json={"detail": "Request was throttled."}
        )

    with pytest.raises(ProviderError, match="answered 429") as error:
        illustrator(handler).illustrate(scene(), report=lambda _: None)
    assert error.value.transient and error.value.retry_after == 8


def test_a_rejected_prompt_is_not_retried():
    def handler(request):
        return httpx.Response(422, json={"detail": "Prompt is invalid."})

    with pytest.raises(ProviderError, match="answered 422") as error:
        illustrator(handler).illustrate(scene(), report=lambda _: None)
    assert not error.value.transient


def test_an_output_that_is_not_an_image_fails():
    api = ImageApi(polls_before_done=0)
    original = api.__call__

    def handler(request):
        if request.url.host == "replicate.delivery":
            return httpx.Response(200, content=b"<html>oops</html>")
        return original(request)

    with pytest.raises(ProviderError, match="not an image"):
        illustrator(handler).illustrate(scene(), report=lambda _: None)
