"""Deciding whether an automation runs for an event: its trigger filter, then its AND/OR
condition group over the event and the records it names."""

from decimal import Decimal, InvalidOperation
from typing import Any

from automations.context import RuleContext, check_path
from automations.models import TriggerType
from config.errors import ValidationFailed

# Which trigger filter keys apply to which trigger; an empty or missing key matches everything.
TRIGGER_FILTERS: dict[str, tuple[str, ...]] = {
    TriggerType.DEAL_STAGE_CHANGED: ("pipeline_id", "stage_id"),
    TriggerType.DEAL_CREATED: ("pipeline_id", "stage_id"),
    TriggerType.TAG_ASSIGNED: ("tag_id",),
    TriggerType.TAG_REMOVED: ("tag_id",),
    TriggerType.CONTACT_CREATED: (),
    TriggerType.FIELD_CHANGED: ("field",),
    TriggerType.MESSAGE_RECEIVED: ("channel",),
    TriggerType.MESSAGE_KEYWORD_MATCH: ("keyword", "channel"),
    TriggerType.TASK_COMPLETED: (),
    TriggerType.TASK_OVERDUE: (),
    TriggerType.MEETING_BOOKED: (),
    TriggerType.MEETING_NO_SHOW: (),
}
# Where each filter finds its value in an event payload.
_FILTER_SOURCES = {
    "pipeline_id": ("pipeline", "id"),
    "stage_id": ("stage", "id"),
    "tag_id": ("tag", "id"),
    "field": ("field", "name"),
    "channel": ("message", "channel"),
    "keyword": ("keyword",),
}
_TEXT_FILTERS = {"field", "channel", "keyword"}

OPERATORS: dict[str, str] = {
    "equals": "is",
    "not_equals": "is not",
    "contains": "contains",
    "not_contains": "does not contain",
    "in": "is one of",
    "not_in": "is none of",
    "gt": "is greater than",
    "gte": "is at least",
    "lt": "is less than",
    "lte": "is at most",
    "is_empty": "is empty",
    "is_not_empty": "is not empty",
    "changed_to": "changed to",
    "changed_from": "changed from",
}
VALUELESS_OPERATORS = {"is_empty", "is_not_empty"}
NUMERIC_OPERATORS = {"gt", "gte", "lt", "lte"}
MAX_CONDITIONS = 50


def matches_trigger_config(
    *, trigger_type: str, config: dict[str, Any], event_type: str, payload: dict[str, Any]
) -> bool:
    """True when the event is of the trigger's type and every filter that is set agrees."""
    if event_type != trigger_type:
        return False
    for key in TRIGGER_FILTERS.get(trigger_type, ()):
        wanted = config.get(key)
        if wanted in (None, ""):
            continue
        actual = _dig(payload, _FILTER_SOURCES[key])
        if key in _TEXT_FILTERS:
            if _fold(actual) != _fold(wanted):
                return False
        elif actual != wanted:
            return False
    return True


def conditions_met(group: dict[str, Any], context: RuleContext) -> bool:
    return _group_result(group, context, trace=None)


def conditions_trace(group: dict[str, Any], context: RuleContext) -> tuple[bool, list[dict]]:
    """The outcome and, for each condition, what was read and whether it held (dry runs)."""
    trace: list[dict] = []
    return _group_result(group, context, trace=trace), trace


def _group_result(group: dict[str, Any], context: RuleContext, trace: list | None) -> bool:
    results = []
    for item in group.get("conditions", []):
        if "conditions" in item:
            results.append(_group_result(item, context, trace))
        else:
            actual = _actual(item, context)
            held = _holds(item["operator"], actual, item.get("value"))
            if trace is not None:
                trace.append({**item, "actual": _jsonable(actual), "met": held})
            results.append(held)
        # Without a trace, stop as soon as the answer is known (records load lazily).
        if trace is None and _decided(group["op"], results[-1]):
            return results[-1]
    if not results:
        return True
    return all(results) if group["op"] == "and" else any(results)


def _decided(op: str, last: bool) -> bool:
    return (op == "and" and not last) or (op == "or" and last)


def _actual(condition: dict[str, Any], context: RuleContext) -> Any:
    if condition["operator"] in {"changed_to", "changed_from"}:
        change = _change_of(condition["field"], context)
        if change is None:
            return _NO_CHANGE
        return change[1] if condition["operator"] == "changed_to" else change[0]
    return context.resolve(condition["field"])


_NO_CHANGE = object()


def _change_of(path: str, context: RuleContext) -> tuple[Any, Any] | None:
    """(old, new) when this event is the change of that field, else None."""
    payload = context.payload
    if context.event_type == TriggerType.FIELD_CHANGED:
        field = payload.get("field") or {}
        if _fold(field.get("name")) == _fold(path):
            return field.get("old"), field.get("new")
    if context.event_type == TriggerType.DEAL_STAGE_CHANGED and path == "deal.stage":
        return _dig(payload, ("from_stage", "name")), _dig(payload, ("stage", "name"))
    return None


def _holds(operator: str, actual: Any, expected: Any) -> bool:
    if actual is _NO_CHANGE:
        return False
    if operator in {"changed_to", "changed_from"}:
        return _equals(actual, expected)
    if operator == "is_empty":
        return actual in (None, "", [], {})
    if operator == "is_not_empty":
        return actual not in (None, "", [], {})
    if operator == "equals":
        return _equals(actual, expected)
    if operator == "not_equals":
        return not _equals(actual, expected)
    if operator == "contains":
        return _contains(actual, expected)
    if operator == "not_contains":
        return not _contains(actual, expected)
    if operator in {"in", "not_in"}:
        options = _options(expected)
        found = any(_equals(actual, option) for option in options)
        return found if operator == "in" else not found
    left, right = _number(actual), _number(expected)
    if left is None or right is None:
        return False
    return {
        "gt": left > right,
        "gte": left >= right,
        "lt": left < right,
        "lte": left <= right,
    }[operator]


def _equals(actual: Any, expected: Any) -> bool:
    if isinstance(actual, list):
        return any(_equals(item, expected) for item in actual)
    left, right = _number(actual), _number(expected)
    if left is not None and right is not None:
        return left == right
    return _fold(actual) == _fold(expected)


def _contains(actual: Any, expected: Any) -> bool:
    if isinstance(actual, list):
        return any(_equals(item, expected) for item in actual)
    if actual is None:
        return False
    return _fold(expected) in _fold(actual)


def _options(expected: Any) -> list[Any]:
    if isinstance(expected, list):
        return expected
    return [part.strip() for part in str(expected or "").split(",") if part.strip()]


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return Decimal(value.strip().replace(",", ""))
        except InvalidOperation:
            return None
    return None


def _fold(value: Any) -> str:
    return "" if value is None else str(value).strip().casefold()


def _dig(data: Any, keys: tuple[str, ...]) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _jsonable(value: Any) -> Any:
    if value is _NO_CHANGE:
        return None
    if isinstance(value, Decimal):
        return str(value)
    return value


# --- validation ------------------------------------------------------------------------------


def clean_condition_group(group: Any) -> dict[str, Any]:
    """The group in its stored shape, or ValidationFailed naming each bad condition.

    A group holds conditions and groups of conditions (two levels, as the builder shows them).
    Errors are keyed `conditions.<i>.<field>` or `conditions.<i>.conditions.<j>.<field>`.
    """
    errors: dict[str, list[str]] = {}
    cleaned = _clean_group(group or {"op": "and", "conditions": []}, "conditions", 0, errors)
    count = sum(1 + len(item.get("conditions", [])) for item in cleaned["conditions"])
    if count > MAX_CONDITIONS:
        errors.setdefault("conditions", []).append(
            f"An automation can have at most {MAX_CONDITIONS} conditions."
        )
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, field_errors=errors)
    return cleaned


def _clean_group(group: Any, where: str, depth: int, errors: dict) -> dict[str, Any]:
    if not isinstance(group, dict) or not isinstance(group.get("conditions", []), list):
        errors[where] = ["A condition group is {op: and|or, conditions: [...]}."]
        return {"op": "and", "conditions": []}
    op = str(group.get("op", "and")).lower()
    if op not in {"and", "or"}:
        errors[f"{where}.op"] = ["Combine conditions with 'and' or 'or'."]
    items = []
    for i, item in enumerate(group.get("conditions", [])):
        key = f"{where}.{i}"
        if isinstance(item, dict) and "conditions" in item:
            if depth >= 1:
                errors[key] = ["Groups can hold conditions, not further groups."]
                continue
            items.append(_clean_group(item, f"{key}.conditions", depth + 1, errors))
        else:
            items.append(_clean_condition(item, key, errors))
    return {"op": op, "conditions": items}


def _clean_condition(item: Any, key: str, errors: dict) -> dict[str, Any]:
    if not isinstance(item, dict):
        errors[key] = ["A condition is {field, operator, value}."]
        return {}
    field = str(item.get("field", "")).strip()
    operator = str(item.get("operator", "")).strip()
    value = item.get("value")
    problem = check_path(field) if field else "Choose a field."
    if problem:
        errors[f"{key}.field"] = [problem]
    if operator not in OPERATORS:
        errors[f"{key}.operator"] = [f"Choose an operator ({', '.join(OPERATORS)})."]
    elif operator in VALUELESS_OPERATORS:
        value = None
    elif value is None or value == "" or value == []:
        errors[f"{key}.value"] = ["Give a value to compare with."]
    elif operator in NUMERIC_OPERATORS and _number(value) is None:
        errors[f"{key}.value"] = ["Give a number."]
    elif isinstance(value, dict) or (
        isinstance(value, list) and any(isinstance(v, dict | list) for v in value)
    ):
        errors[f"{key}.value"] = ["Give a text, a number or a list of them."]
    return {"field": field, "operator": operator, "value": value}


def describe_condition(condition: dict[str, Any]) -> str:
    words = OPERATORS.get(condition["operator"], condition["operator"])
    if condition["operator"] in VALUELESS_OPERATORS:
        return f"{condition['field']} {words}"
    value = condition.get("value")
    shown = ", ".join(map(str, value)) if isinstance(value, list) else value
    return f"{condition['field']} {words} {shown}"
