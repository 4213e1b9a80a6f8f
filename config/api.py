"""The REST API at /api/v1/: one NinjaAPI that mounts each app's router and maps errors."""

import json
import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import HttpRequest, HttpResponse
from ninja.parser import Parser

from config.errors import ApplicationError
from config.openapi import ContractApi, use_contract_naming
from config.renderers import ORJSONRenderer
from outreach.workspaces.auth import ApiKeyAuth, SessionWorkspaceAuth

logger = logging.getLogger(__name__)


class StrictParser(Parser):
    """JSON and query parsing that refuses NUL characters, which no database column can hold,
    and bodies that are not a JSON object (every body the API takes is one)."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise ValueError("The request body must be a JSON object.")
        if _contains_nul(data):
            raise ValueError("Text may not contain NUL (\\u0000) characters.")
        return data

    def parse_querydict(self, data, list_fields, request):
        # Form fields are left to their schema: every text field the API declares refuses NUL
        # by its pattern (tests/test_api_contract.py checks it); an undeclared one is ignored.
        if data is not request.GET:
            return super().parse_querydict(data, list_fields, request)
        for key, values in data.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                raise ApplicationError("Query parameters may not contain NUL characters.")
        return super().parse_querydict(data, list_fields, request)


def _contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(item) for item in value)
    return False


use_contract_naming()

api = ContractApi(
    title="Sales Engagement CRM API",
    version="1",
    description=(
        "Prospects, contacts, tags, deals and the touch-task queue of one workspace. "
        "Authenticate with `Authorization: Bearer <api key>` (create keys under Settings → "
        "API keys) or with a dashboard session."
    ),
    auth=[ApiKeyAuth(), SessionWorkspaceAuth()],
    parser=StrictParser(),
    renderer=ORJSONRenderer(),
    urls_namespace="api",
)

# Each app's router, mounted once. Outreach's sub-domains share the API's root, since their
# paths begin with the resource they serve (/prospects, /sequences, /replies...).
api.add_router("/", "outreach.workspaces.api.router")
api.add_router("/", "outreach.crm.api.router")
api.add_router("/", "outreach.lists.api.router")
api.add_router("/", "outreach.wizard.api.router")
api.add_router("/", "outreach.mail.api.router")
api.add_router("/", "outreach.sequences.api.router")
api.add_router("/", "outreach.replies.api.router")
api.add_router("/", "outreach.meetings.api.router")
api.add_router("/campaigns", "campaigns.api.router")
api.add_router("/campaigns", "media_pipeline.api.router")
api.add_router("/engagement", "engagement.api.router")
api.add_router("/automations", "automations.api.router")
api.add_router("/reports", "reports.api.router")


@api.exception_handler(ApplicationError)
def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return api.create_response(request, exc.as_payload(), status=exc.status_code)


@api.exception_handler(DjangoValidationError)
def on_django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": "Invalid data.", "errors": errors}, status=422)


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return api.create_response(request, {"detail": "The request body is too large."}, status=413)


@api.exception_handler(DataError)
def on_data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
    # Schemas bound every value; this is the last guard against one the database still refuses.
    logger.warning("Database refused a value from an API request: %s", exc)
    return api.create_response(
        request, {"detail": "A value is out of the range the field accepts."}, status=400
    )
