"""Each job uses its hosted provider when the key is set, and works offline when it is not."""

from media_pipeline.providers.script import (
    AnthropicScriptWriter,
    TemplateScriptWriter,
    script_writer,
)
from media_pipeline.providers.visuals import (
    HostedImageIllustrator,
    SceneCardIllustrator,
    illustrator,
)
from media_pipeline.providers.voice import ElevenLabsNarrator, EspeakNarrator, narrator


def test_without_keys_every_job_runs_offline(settings):
    settings.ANTHROPIC_API_KEY = settings.ELEVENLABS_API_KEY = settings.MEDIA_IMAGE_API_KEY = ""
    assert isinstance(script_writer(), TemplateScriptWriter)
    assert isinstance(narrator(), EspeakNarrator)
    assert isinstance(illustrator(), SceneCardIllustrator)


def test_a_key_switches_each_job_to_its_hosted_provider(settings):
    settings.ANTHROPIC_API_KEY = "sk-ant-x"
    settings.ELEVENLABS_API_KEY = "el-x"
    settings.ELEVENLABS_CONCURRENCY = 5
    settings.MEDIA_IMAGE_API_KEY = "r8_x"
    settings.MEDIA_IMAGE_API_URL = "https://images.example/v1/"

    writer, voice, images = script_writer(), narrator(), illustrator()

    assert isinstance(writer, AnthropicScriptWriter) and writer.model == settings.ANTHROPIC_MODEL
    assert isinstance(voice, ElevenLabsNarrator) and voice.max_parallel == 5
    assert isinstance(images, HostedImageIllustrator)
    assert images.base_url == "https://images.example/v1"
