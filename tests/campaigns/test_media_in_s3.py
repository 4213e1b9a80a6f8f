"""With MEDIA_S3_BUCKET set, a campaign's media live in an S3 bucket: moto's server on loopback
answers the real S3 API. The demo campaign runs end to end; every file (narration, pictures,
videos, GIFs, subtitles, the PDF report) is written and read through the store, nothing lands
on the local disk, and the wizard links the video by a signed, expiring URL that a player can
seek in with byte ranges."""

import re
import uuid
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from campaigns.models import Campaign
from campaigns.services import campaign_launch
from config.media_storage import s3_media_storage
from media_pipeline import pipeline, tasks
from media_pipeline.models import GenerationJob
from outreach.models import WizardLink

pytestmark = [pytest.mark.s3, pytest.mark.timeout(600)]

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")


@pytest.fixture(scope="module")
def s3_endpoint():
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch, tmp_path):
    name = f"crm-media-{uuid.uuid4().hex[:8]}"
    for variable, value in {
        "MEDIA_S3_ENDPOINT_URL": s3_endpoint,
        "MEDIA_S3_REGION": "us-east-1",
        "MEDIA_S3_ACCESS_KEY_ID": "media-test",
        "MEDIA_S3_SECRET_ACCESS_KEY": "media-test-secret",
        "MEDIA_S3_PREFIX": "media",
        "MEDIA_URL_EXPIRE_SECONDS": "600",
    }.items():
        monkeypatch.setenv(variable, value)
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="media-test",
        aws_secret_access_key="media-test-secret",
    )
    client.create_bucket(Bucket=name)
    settings.MEDIA_ROOT = tmp_path / "local-media"
    settings.STORAGES = {**settings.STORAGES, "default": s3_media_storage(name)}
    return client, name


def stored_keys(bucket) -> set[str]:
    client, name = bucket
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=name)
    return {item["Key"] for page in pages for item in page.get("Contents", [])}


@pytest.mark.django_db
def test_the_demo_campaign_keeps_every_file_in_the_bucket_and_links_it_signed(
    bucket, settings, client, monkeypatch, django_capture_on_commit_callbacks, tmp_path
):
    assert type(default_storage._wrapped).__name__ == "S3Storage" or (
        default_storage.__class__.__name__ == "S3Storage"
    )
    settings.VAR_DIR = tmp_path
    call_command("seed_demo", stdout=StringIO())
    handed_out: list[int] = []
    monkeypatch.setattr(tasks.pipeline_run, "delay", handed_out.append)
    campaign = Campaign.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        campaign_launch(campaign=campaign)
    for campaign_prospect_id in handed_out:
        with django_capture_on_commit_callbacks(execute=True):
            pipeline.run_pipeline(campaign_prospect_id=campaign_prospect_id)
    campaign.refresh_from_db()
    assert (campaign.status, campaign.completed_prospects) == ("completed", 5)

    keys = stored_keys(bucket)
    entries = list(campaign.campaign_prospects.all())
    for entry in entries:
        for field in (entry.video, entry.thumbnail, entry.preview_gif, entry.subtitles):
            assert f"media/{field.name}" in keys, field.name
    job_files = GenerationJob.objects.exclude(result_file="").values_list("result_file", flat=True)
    assert job_files and {f"media/{name}" for name in job_files} <= keys
    assert any(key.endswith(".wav") or key.endswith(".mp3") for key in keys)  # narration
    assert any(key.endswith(".png") or key.endswith(".jpg") for key in keys)  # pictures
    # Nothing was written on this machine's disk.
    local = settings.MEDIA_ROOT
    assert not local.exists() or not any(path.is_file() for path in local.rglob("*"))

    entry = entries[0]
    link = WizardLink.objects.filter(prospect=entry.prospect, revoked_at=None).first()
    pages = "".join(client.get(f"/w/{link.token}/{step}/").content.decode() for step in range(1, 5))
    urls = [u.replace("&amp;", "&") for u in re.findall(r'https?://[^"\s]+\.mp4\?[^"\s]+', pages)]
    assert urls, "the wizard does not link the video"
    signed = urlsplit(urls[0])
    query = parse_qs(signed.query)
    assert query["X-Amz-Expires"] == ["600"] and "X-Amz-Signature" in query
    assert signed.path.endswith(entry.video.name)

    whole = bucket[0].get_object(Bucket=bucket[1], Key=f"media/{entry.video.name}")["Body"].read()
    part = httpx.get(urls[0], headers={"Range": "bytes=100-1123"})
    assert part.status_code == 206
    assert part.content == whole[100:1124]
    # Without its signature the object is refused: the bucket is private.
    bare = httpx.get(f"{signed.scheme}://{signed.netloc}{signed.path}")
    assert bare.status_code == 403

    # The prospect's PDF report is rendered once and kept in the bucket too.
    report = client.get(f"/w/{link.token}/report.pdf")
    assert report.status_code == 200 and report["Content-Type"] == "application/pdf"
    assert any(key.endswith(".pdf") for key in stored_keys(bucket))
