"""Response shapes of the media pipeline's API."""

from datetime import datetime
from typing import Any

from ninja import Schema

from campaigns.schemas import absolute
from media_pipeline.models import GenerationJob


class GenerationJobOut(Schema):
    id: int
    job_type: GenerationJob.Type
    scene_index: int | None
    status: GenerationJob.Status
    provider: str
    external_id: str
    attempts: int
    error: str
    result: dict[str, Any]
    result_url: str
    due_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_result_url(obj: GenerationJob, context: Any) -> str:
        return absolute(context, obj.result_url)
