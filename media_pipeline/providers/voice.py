"""Narration: each scene's words as speech (a WAV file), through ElevenLabs with the campaign's
voice, or offline through eSpeak NG loaded from the espeakng-loader wheel."""

import ctypes
import io
import threading
import wave

import httpx
from django.conf import settings
from elevenlabs import ElevenLabs
from elevenlabs.core.api_error import ApiError

from media_pipeline.providers.base import (
    ProviderError,
    Voice,
    is_transient_status,
    retry_after_seconds,
)

PCM_RATE = 22_050


def pcm_to_wav(pcm: bytes, *, sample_rate: int, channels: int = 1) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm)
    return buffer.getvalue()


def wav_seconds(wav_bytes: bytes) -> float:
    """The length of a WAV file, read from its header and data size."""
    try:
        with wave.open(io.BytesIO(wav_bytes), "rb") as audio:
            return audio.getnframes() / float(audio.getframerate())
    except (wave.Error, EOFError) as exc:
        raise ProviderError("The narration is not a readable WAV file.") from exc


# --- eSpeak NG, offline --------------------------------------------------------------------------

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_PARAM_RATE = 1
_SYNTH_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class _EspeakLibrary:
    """The espeak-ng C library through ctypes. It keeps one synthesizer per process, so every
    call goes through one lock, and it is loaded on first use (after a worker forks)."""

    _instance: "_EspeakLibrary | None" = None
    lock = threading.Lock()

    def __init__(self) -> None:
        import espeakng_loader

        lib = ctypes.CDLL(espeakng_loader.get_library_path())
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.POINTER(ctypes.c_uint),
            ctypes.c_void_p,
        ]
        data_path = espeakng_loader.get_data_path().encode()
        sample_rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path, 0)
        if sample_rate <= 0:
            raise ProviderError("eSpeak NG could not start (its voice data is missing).")
        self.lib = lib
        self.sample_rate = sample_rate
        self._chunks: list[bytes] = []
        # Kept on the instance: ctypes must not free the callback while the library holds it.
        self._callback = _SYNTH_CALLBACK(self._collect)
        lib.espeak_SetSynthCallback(self._callback)

    @classmethod
    def get(cls) -> "_EspeakLibrary":
        if cls._instance is None:
            cls._instance = cls()
        return cls._instance

    def _collect(self, samples, count: int, events) -> int:
        if samples and count > 0:
            self._chunks.append(ctypes.string_at(samples, count * 2))
        return 0

    def synthesize(self, text: str, *, voice: str, words_per_minute: int) -> bytes:
        if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise ProviderError(f"eSpeak NG has no voice called {voice!r}.")
        self.lib.espeak_SetParameter(_PARAM_RATE, words_per_minute, 0)
        data = text.encode("utf-8") + b"\0"
        self._chunks = []
        status = self.lib.espeak_Synth(
            data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None
        )
        self.lib.espeak_Synchronize()
        pcm, self._chunks = b"".join(self._chunks), []
        if status != 0 or not pcm:
            raise ProviderError(f"eSpeak NG could not speak this text (status {status}).")
        return pcm


class EspeakNarrator:
    """Offline narration with the campaign's offline voice and speed (its hosted voice id means
    nothing to eSpeak NG)."""

    name = "espeak-ng"
    # The library holds one synthesizer per process: scenes are spoken one after another.
    max_parallel = 1

    def narrate(self, text: str, *, voice: Voice) -> bytes:
        with _EspeakLibrary.lock:
            engine = _EspeakLibrary.get()
            pcm = engine.synthesize(
                text, voice=voice.offline, words_per_minute=voice.words_per_minute
            )
            return pcm_to_wav(pcm, sample_rate=engine.sample_rate)


# --- ElevenLabs, hosted ---------------------------------------------------------------------------


class ElevenLabsNarrator:
    """Text to speech with the campaign's ElevenLabs voice, as raw PCM wrapped into a WAV (so
    the length is exact without decoding)."""

    name = "elevenlabs"

    def __init__(
        self,
        *,
        api_key: str,
        model: str,
        max_parallel: int = 3,
        http_client: httpx.Client | None = None,
        timeout: float = 60.0,
    ):
        self.api_key = api_key
        self.model = model
        self.max_parallel = max(1, max_parallel)
        self.http_client = http_client
        self.timeout = timeout

    def narrate(self, text: str, *, voice: Voice) -> bytes:
        if self.http_client is not None:
            return self._narrate(self.http_client, text, voice.hosted_id)
        with httpx.Client(timeout=self.timeout) as http_client:
            return self._narrate(http_client, text, voice.hosted_id)

    def _narrate(self, http_client: httpx.Client, text: str, voice_id: str) -> bytes:
        client = ElevenLabs(api_key=self.api_key, httpx_client=http_client)
        try:
            chunks = client.text_to_speech.convert(
                voice_id,
                text=text,
                model_id=self.model,
                output_format=f"pcm_{PCM_RATE}",
                # Retries are the pipeline's (a job attempt with backoff), not the SDK's.
                request_options={"max_retries": 0},
            )
            pcm = b"".join(chunks)
        except ApiError as exc:
            status = exc.status_code or 0
            raise ProviderError(
                f"ElevenLabs answered {status}: {_detail(exc.body)}",
                transient=is_transient_status(status),
                retry_after=retry_after_seconds((exc.headers or {}).get("retry-after")),
            ) from exc
        except httpx.TimeoutException as exc:
            raise ProviderError("ElevenLabs did not answer in time.", transient=True) from exc
        except httpx.TransportError as exc:
            raise ProviderError(
                f"ElevenLabs could not be reached ({exc}).", transient=True
            ) from exc
        if len(pcm) < 2:
            raise ProviderError("ElevenLabs sent no audio.", transient=True)
        return pcm_to_wav(pcm[: len(pcm) // 2 * 2], sample_rate=PCM_RATE)


def _detail(body) -> str:
    if isinstance(body, dict):
        detail = body.get("detail", body)
        if isinstance(detail, dict):
            return str(detail.get("message") or detail.get("status") or detail)[:300]
        return str(detail)[:300]
    return str(body)[:300]


def narrator() -> EspeakNarrator | ElevenLabsNarrator:
    if settings.ELEVENLABS_API_KEY:
        return ElevenLabsNarrator(
            api_key=settings.ELEVENLABS_API_KEY,
            model=settings.ELEVENLABS_MODEL,
            max_parallel=settings.ELEVENLABS_CONCURRENCY,
        )
    return EspeakNarrator()
