"""API schemas of wizard links."""

from datetime import datetime

from ninja import Field, Schema


class WizardLinkOut(Schema):
    id: int
    prospect_id: int
    url: str = Field(description="The prospect's wizard page; send it to them.")
    is_active: bool
    created_at: datetime
    created_by: str = Field("", alias="created_by.username")
    revoked_at: datetime | None
    # How far the prospect got with this link.
    max_step: int = Field(
        alias="session.max_step", description="The furthest step reached (0: not opened yet)."
    )
    step_count: int = Field(alias="session.step_count")
    step_views: int = Field(alias="session.step_views")
    first_visit_at: datetime | None = Field(alias="session.first_visit_at")
    last_visit_at: datetime | None = Field(alias="session.last_visit_at")
    engaged_at: datetime | None = Field(
        alias="session.engaged_at", description="When the prospect first reached step 3."
    )
    pdf_downloads: int = Field(alias="session.pdf_downloads")
    last_pdf_download_at: datetime | None = Field(alias="session.last_pdf_download_at")
