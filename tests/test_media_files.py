"""Campaign media is served by the app in production too: whole files, the byte ranges video
players ask for, and 304s for what the browser has; nothing outside the media folder."""

import pytest

from tests.media import media_settings  # noqa: F401  (autouse: a fresh media folder)

pytestmark = pytest.mark.django_db

VIDEO = bytes(range(256)) * 40  # 10,240 bytes


@pytest.fixture
def video(settings):
    folder = settings.MEDIA_ROOT / "campaign-media" / "k3y"
    folder.mkdir(parents=True)
    (folder / "video-a1.mp4").write_bytes(VIDEO)
    return "/media/campaign-media/k3y/video-a1.mp4"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_whole_file_is_served_without_debug(client, settings, video):
    assert settings.DEBUG is False
    response = client.get(video)
    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp4"
    assert response["Accept-Ranges"] == "bytes"
    assert body(response) == VIDEO


@pytest.mark.parametrize(
    ("asked", "first", "last"),
    [("bytes=0-99", 0, 99), ("bytes=10200-", 10200, 10239), ("bytes=-40", 10200, 10239)],
)
def test_a_byte_range_is_served_in_part(client, video, asked, first, last):
    response = client.get(video, headers={"Range": asked})
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/{len(VIDEO)}"
    assert response["Content-Length"] == str(last - first + 1)
    assert body(response) == VIDEO[first : last + 1]


def test_a_range_past_the_end_is_refused_with_the_size(client, video):
    response = client.get(video, headers={"Range": "bytes=20000-"})
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(VIDEO)}"


@pytest.mark.parametrize("asked", ["bytes=5-1", "items=0-5", "bytes=0-1,5-9", "bytes=abc"])
def test_a_range_we_do_not_serve_in_part_gets_the_whole_file(client, video, asked):
    response = client.get(video, headers={"Range": asked})
    assert response.status_code == 200
    assert body(response) == VIDEO


def test_a_range_on_a_file_that_changed_since_gets_the_whole_file(client, video):
    response = client.get(video, headers={"Range": "bytes=0-9", "If-Range": '"old"'})
    assert response.status_code == 200
    assert body(response) == VIDEO


def test_the_browser_copy_is_confirmed_with_304(client, video):
    first = client.get(video)
    again = client.get(video, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    since = client.get(video, headers={"If-Modified-Since": first["Last-Modified"]})
    assert since.status_code == 304


def test_head_says_the_size_without_the_body(client, video):
    response = client.head(video)
    assert response.status_code == 200
    assert response["Content-Length"] == str(len(VIDEO))
    assert response.content == b""


@pytest.mark.parametrize(
    "path",
    [
        "/media/campaign-media/k3y/missing.mp4",
        "/media/campaign-media/k3y",
        "/media/../settings.py",
        "/media/%2e%2e/%2e%2e/etc/passwd",
        "/media//etc/passwd",
    ],
)
def test_nothing_else_is_served(client, video, path):
    assert client.get(path).status_code == 404


def test_media_cannot_be_written(client, video):
    assert client.post(video).status_code == 405
