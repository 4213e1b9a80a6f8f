"""API lists without ninja's per-row, per-attribute validation, with the same output.

Ninja validates each object of a response by wrapping it in a `DjangoGetter`, whose Python
`__getattr__` runs for every field of every row (and again for nested schemas): on a page of
50 runs with their action logs that is thousands of calls, most of a list's time. Here each
response schema is compiled once into (1) a reader that takes each field straight from the ORM
object (with the schema's resolvers, related managers and files, as ninja reads them) and
(2) a plain pydantic twin of the schema, whose validation and dump run in pydantic's core.
The page keeps its OpenAPI schema, its paging parameters and its exact JSON (a test compares
every list with ninja's own output).

    @router.get("/contacts", response=list[ContactOut])
    @rows_of(ContactOut)
    @paginate
    def contact_list(request, ...): ...
"""

import types
import typing
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db.models import Manager, QuerySet
from django.db.models.fields.files import FieldFile
from django.http import HttpRequest, HttpResponse
from ninja import Schema
from pydantic import BaseModel, ConfigDict, TypeAdapter, create_model

from config.renderers import ORJSONRenderer

_RENDERER = ORJSONRenderer()
# True hands every page to ninja's own validation: the test that compares both outputs sets it.
NINJA_VALIDATES = False
Reader = Callable[[Any, Any], Any]


class _Compiled:
    """A schema's reader and its plain twin."""

    def __init__(self, schema: type[Schema]):
        self.fields: list[tuple[str, str, Reader | None, Reader | None]] = []
        twin_fields: dict[str, Any] = {}
        for name, info in schema.model_fields.items():
            resolver = schema._ninja_resolvers.get(name)
            if resolver is not None and not resolver._static:
                raise TypeError(f"{schema.__name__}.resolve_{name} is not a staticmethod")
            annotation, nested = _twin_annotation(info.annotation)
            self.fields.append((name, info.alias or name, _resolver(resolver), nested))
            # Every key is always given, by its name: no default, no alias.
            twin_fields[name] = (annotation, ...)
        self.twin: type[BaseModel] = create_model(
            f"{schema.__name__}Row", __config__=ConfigDict(), **twin_fields
        )

    def read(self, obj: Any, context: Any) -> dict[str, Any]:
        row = {}
        for name, attribute, resolver, nested in self.fields:
            if resolver is not None:
                value = _converted(resolver(obj, context))
            else:
                value = _attribute(obj, attribute)
            if nested is not None and value is not None:
                value = nested(value, context)
            row[name] = value
        return row


def _resolver(resolver: Any) -> Reader | None:
    if resolver is None:
        return None
    func = resolver._func
    if resolver._takes_context:
        return lambda obj, context: func(obj, context=context)
    return lambda obj, context: func(obj)


def _attribute(obj: Any, attribute: str) -> Any:
    if isinstance(obj, dict):
        value = obj[attribute]
    else:
        value = obj
        for part in attribute.split("."):
            value = getattr(value, part)
    return _converted(value)


def _converted(value: Any) -> Any:
    """What ninja's DjangoGetter makes of a value it reads."""
    if isinstance(value, Manager):
        return list(value.all())
    if isinstance(value, QuerySet):
        return list(value)
    if isinstance(value, FieldFile):
        return value.url if value else None
    if callable(value):
        return value()
    return value


_COMPILED: dict[type, _Compiled] = {}


def _compiled(schema: type[Schema]) -> _Compiled:
    if schema not in _COMPILED:
        _COMPILED[schema] = _Compiled(schema)
    return _COMPILED[schema]


def _twin_annotation(annotation: Any) -> tuple[Any, Reader | None]:
    """The annotation with every nested Schema replaced by its twin, and how to read a value
    of it (None when the value is used as it is)."""
    if isinstance(annotation, type) and issubclass(annotation, Schema):
        nested = _compiled(annotation)
        return nested.twin, nested.read
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, set) or origin is typing.Union or origin is types.UnionType:
        parts = [_twin_annotation(arg) for arg in typing.get_args(annotation)]
        readers = [reader for _, reader in parts if reader is not None]
        if not readers:
            return annotation, None
        if origin in (list, tuple, set):
            (inner, read_one), *_ = parts
            assert read_one is not None
            return (
                list[inner],  # type: ignore[valid-type]
                lambda items, context: [read_one(item, context) for item in items],
            )
        # Optional[Schema]: None is handled by the caller.
        args = tuple(arg for arg, _ in parts)
        return typing.Union[args], readers[0]  # noqa: UP007
    return annotation, None


def rows_of(schema: type[Schema]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Answer a paginated list of `schema` without ninja's per-row validation (see above)."""
    compiled = _compiled(schema)
    page = TypeAdapter(list[compiled.twin])  # type: ignore[name-defined]

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def fast_view(request: HttpRequest, **kwargs: Any) -> Any:
            result = view(request, **kwargs)
            if not isinstance(result, dict) or NINJA_VALIDATES:
                return result
            context = {"request": request, "response_status": 200}
            rows = page.validate_python([compiled.read(item, context) for item in result["items"]])
            body = {"items": page.dump_python(rows), "count": result["count"]}
            return HttpResponse(
                _RENDERER.render(request, body, response_status=200),
                content_type=f"{_RENDERER.media_type}; charset={_RENDERER.charset}",
            )

        return fast_view

    return decorator
