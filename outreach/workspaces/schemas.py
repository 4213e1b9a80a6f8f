"""API schemas of the workspace, its members and API keys."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from config.schemas import ClockTime, Input


class WorkspaceOut(Schema):
    id: int
    name: str = Field(description="The team's company, as prospects see it everywhere.")
    company_description: str
    brand_color: str
    slug: str
    time_zone: str
    business_day_start: str
    business_day_end: str
    business_days: list[int]
    holidays: list[str]
    daily_send_limit: int | None = Field(
        description="Sequence emails each sender may send a day; null uses the default."
    )

    @staticmethod
    def resolve_business_day_start(obj: Any) -> str:
        return obj.business_day_start.strftime("%H:%M")

    @staticmethod
    def resolve_business_day_end(obj: Any) -> str:
        return obj.business_day_end.strftime("%H:%M")


class WorkspacePatch(Input):
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    company_description: Annotated[str, Field(max_length=2000)] | None = None
    brand_color: Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")] | None = None
    time_zone: Annotated[str, Field(max_length=64)] | None = None
    business_day_start: ClockTime | None = None
    business_day_end: ClockTime | None = None
    business_days: list[Annotated[int, Field(ge=0, le=6)]] | None = None
    holidays: list[date] | None = Field(None, max_length=366)
    daily_send_limit: Annotated[int, Field(ge=1, le=100_000)] | None = Field(
        None, description="Null goes back to the default."
    )


class MemberOut(Schema):
    user_id: int
    username: str
    email: str
    role: str


class ApiKeyOut(Schema):
    id: int
    name: str
    role: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyIn(Input):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    role: Literal["admin", "rep"] = "rep"


class ApiKeyCreatedOut(ApiKeyOut):
    key: str = Field(description="The key itself. It is shown this once and never again.")
