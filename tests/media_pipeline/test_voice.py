"""Narration: eSpeak NG offline, and ElevenLabs against a mock transport."""

import io
import json
import math
import struct
import wave

import httpx
import pytest

from media_pipeline.providers.base import ProviderError, Voice
from media_pipeline.providers.voice import ElevenLabsNarrator, EspeakNarrator, wav_seconds


def test_espeak_speaks_a_scene_into_a_real_wav_file():
    wav = EspeakNarrator().narrate(
        "Hi Dana, this short video is for the team at Acme.", voice=Voice(hosted_id="x")
    )

    with wave.open(io.BytesIO(wav)) as audio:
        assert audio.getnchannels() == 1
        assert audio.getsampwidth() == 2
        frames = audio.readframes(audio.getnframes())
        rate = audio.getframerate()
    seconds = wav_seconds(wav)
    assert 1.5 < seconds < 8
    assert seconds == pytest.approx(len(frames) / 2 / rate)
    samples = struct.unpack(f"<{len(frames) // 2}h", frames)
    assert max(abs(s) for s in samples) > 1000, "the narration is silent"


def test_the_campaigns_offline_voice_and_speed_are_heard():
    narrator = EspeakNarrator()
    text = "Hi Dana, this short video is for the team at Acme, and it takes a minute."
    slow = narrator.narrate(text, voice=Voice(offline="en+f2", words_per_minute=120))
    fast = narrator.narrate(text, voice=Voice(offline="en+f2", words_per_minute=210))
    male = narrator.narrate(text, voice=Voice(offline="en-us+m3", words_per_minute=120))

    assert wav_seconds(slow) > 1.4 * wav_seconds(fast)
    assert slow != male  # another voice, another recording


@pytest.mark.parametrize("voice", ["en-us+m3", "en-us+f3", "en+m1", "en+f2", "en-gb-x-rp+f4"])
def test_every_offline_voice_a_campaign_can_pick_speaks(voice):
    from campaigns.models import OfflineVoice

    assert voice in OfflineVoice.values
    wav = EspeakNarrator().narrate("Hello there.", voice=Voice(offline=voice))
    assert wav_seconds(wav) > 0.3


def test_longer_narration_takes_longer():
    narrator = EspeakNarrator()
    short = wav_seconds(narrator.narrate("Hello there.", voice=Voice()))
    long = wav_seconds(narrator.narrate("Hello there. " * 6, voice=Voice()))
    assert long > 3 * short


# --- ElevenLabs ----------------------------------------------------------------------------------


def tone(seconds: float, rate: int = 22_050) -> bytes:
    """Raw 16-bit mono PCM, as ElevenLabs returns for output_format=pcm_22050."""
    count = int(seconds * rate)
    return struct.pack(
        f"<{count}h", *(int(8000 * math.sin(2 * math.pi * 220 * i / rate)) for i in range(count))
    )


def narrator_with(handler) -> ElevenLabsNarrator:
    return ElevenLabsNarrator(
        api_key="el-test-key",
        model="eleven_multilingual_v2",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )


def test_elevenlabs_speaks_with_the_campaigns_voice():
    sent = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, content=tone(1.5), headers={"content-type": "audio/pcm"})

    wav = narrator_with(handler).narrate("Hi Dana.", voice=Voice(hosted_id="pNInz6obpgDQGcFmaJgB"))

    request = sent[0]
    assert request.method == "POST"
    assert request.url.path == "/v1/text-to-speech/pNInz6obpgDQGcFmaJgB"
    assert request.url.params["output_format"] == "pcm_22050"
    assert request.headers["xi-api-key"] == "el-test-key"
    body = json.loads(request.content)
    assert body["text"] == "Hi Dana."
    assert body["model_id"] == "eleven_multilingual_v2"
    assert wav_seconds(wav) == pytest.approx(1.5, abs=0.001)


def test_elevenlabs_rate_limits_are_retried_when_it_says():
    def handler(request):
        return httpx.Response(
            429,
            headers={"retry-after": "12"},
            json={"detail": {"status": "too_many_concurrent_requests", "message": "Slow down"}},
        )

    with pytest.raises(ProviderError, match="429: Slow down") as error:
        narrator_with(handler).narrate("Hi.", voice=Voice(hosted_id="v1"))
    assert error.value.transient
    assert error.value.retry_after == 12


def test_a_bad_key_or_voice_is_not_retried():
    def handler(request):
        return httpx.Response(
            401, json={"detail": {"status": "invalid_api_key", "message": "Invalid API key"}}
        )

    with pytest.raises(ProviderError, match="401: Invalid API key") as error:
        narrator_with(handler).narrate("Hi.", voice=Voice(hosted_id="v1"))
    assert not error.value.transient


def test_an_elevenlabs_timeout_is_retried():
    def handler(request):
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(ProviderError, match="did not answer in time") as error:
        narrator_with(handler).narrate("Hi.", voice=Voice(hosted_id="v1"))
    assert error.value.transient
