"""Application forms are JSON Schema (draft 2020-12). This module checks a schema, validates data against it
with reasons in the user's language, and lists the fields for rendering."""

import dataclasses
import datetime as dt
import functools
import json
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format, get_format
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError, ValidationError

from kotalive.catalogue.models import localised
from kotalive.registry.models import REGISTRY_FIELDS

PREFILL_KEYS = frozenset(REGISTRY_FIELDS)


@functools.lru_cache(maxsize=256)
def _meta_schema_reason(canonical: str) -> str | None:
    """Why the schema (as canonical JSON) is not a valid draft 2020-12 schema, None when it is. Checking against the
    meta-schema costs ~10 ms and every load of a region pack publishes the same forms again: remember the answer."""
    try:
        Draft202012Validator.check_schema(json.loads(canonical))
    except SchemaError as exc:
        return str(exc.message)
    return None


def schema_problems(schema: Any) -> list[str]:
    """Why `schema` cannot serve as a form: not a valid draft 2020-12 schema, not an object of properties, or an
    unknown pre-fill key."""
    reason = _meta_schema_reason(json.dumps(schema, sort_keys=True))
    if reason is not None:
        return [_("not a valid JSON Schema: %(reason)s") % {"reason": reason}]
    if not isinstance(schema, dict) or schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        return [_("the form must be an object schema with properties")]
    problems = []
    for name, prop in schema["properties"].items():
        key = prop.get("x-prefill")
        if key is not None and key not in PREFILL_KEYS:
            problems.append(_("field %(field)s pre-fills unknown registry data %(key)s") % {"field": name, "key": key})
        reference = prop.get("x-not-before")
        if reference is not None and reference not in DATE_REFERENCES:
            problems.append(
                _("field %(field)s: x-not-before must be one of %(all)s")
                % {"field": name, "all": ", ".join(DATE_REFERENCES)}
            )
        dated = reference is not None or prop.get("x-not-after-today") or prop.get("x-subject") == "birth_date"
        if dated and prop.get("format") != "date":
            problems.append(_("field %(field)s: date rules need format date") % {"field": name})
        role = prop.get("x-subject")
        if role is not None and role not in ("name", "birth_date"):
            problems.append(_("field %(field)s: x-subject must be name or birth_date") % {"field": name})
    roles = [prop.get("x-subject") for prop in schema["properties"].values() if prop.get("x-subject")]
    if len(roles) != len(set(roles)):
        problems.append(_("each x-subject role may mark one field only"))
    return problems


def _reason(error: ValidationError) -> tuple[str, str]:
    field = ".".join(str(part) for part in error.absolute_path)
    kind = error.validator
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        return (f"{field}.{missing}" if field else missing), _("is required")
    if kind == "type":
        return field, _("must be of type %(type)s") % {"type": error.validator_value}
    if kind == "enum":
        return field, _("must be one of: %(choices)s") % {"choices": ", ".join(map(str, error.validator_value))}
    if kind == "format" and error.validator_value == "date":
        return field, _("must be a date written as YYYY-MM-DD")
    if kind == "format":
        return field, _("is not a valid %(format)s") % {"format": error.validator_value}
    if kind == "minLength":
        return field, (
            _("is required")
            if error.validator_value == 1
            else _("must have at least %(n)s characters") % {"n": error.validator_value}
        )
    if kind == "maxLength":
        return field, _("must have at most %(n)s characters") % {"n": error.validator_value}
    if kind == "minimum":
        return field, _("must be at least %(n)s") % {"n": error.validator_value}
    if kind == "maximum":
        return field, _("must be at most %(n)s") % {"n": error.validator_value}
    if kind == "pattern":
        return field, _("has the wrong form")
    if kind == "additionalProperties":
        return field or "data", _("has fields this form does not know: %(reason)s") % {"reason": error.message}
    return field or "data", error.message


# The registry dates a date field may be held against (`"x-not-before": "<reference>"`), each with the words a
# refusal uses for it.
DATE_REFERENCES = ("applicant.birth_date", "subject.birth_date")


def _reference_words(reference: str) -> str:
    return {
        "applicant.birth_date": _("your own date of birth"),
        "subject.birth_date": _("the date of birth of the person this application is for"),
    }[reference]


@dataclass(frozen=True)
class FormFacts:
    """What a form's date rules are checked against: registry dates by reference (`applicant.birth_date`,
    `subject.birth_date`; missing for a citizen outside the registry, and then not checked) and the service's age
    limits (eligibility `min_age`, `max_age`) for the field marked `"x-subject": "birth_date"`."""

    dates: dict[str, dt.date] = dataclasses.field(default_factory=dict)
    min_age: int | None = None
    max_age: int | None = None


def _age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _date_problem(prop: dict[str, Any], label: str, value: dt.date, facts: FormFacts, today: dt.date) -> str | None:
    """The first date rule of the property `value` breaks, as a full sentence naming the field."""
    if prop.get("x-not-after-today") and value > today:
        return _("%(field)s cannot be in the future.") % {"field": label}
    reference = prop.get("x-not-before")
    if reference in DATE_REFERENCES and reference in facts.dates and value < facts.dates[reference]:
        return _("%(field)s cannot be before %(other)s.") % {"field": label, "other": _reference_words(reference)}
    if prop.get("x-subject") == "birth_date":
        age = _age_on(value, today)
        words = {"field": label, "age": age}
        if facts.max_age is not None and age > facts.max_age:
            too_old = _(
                "%(field)s makes the person %(age)s years old; this service is for those aged %(limit)s or under."
            )
            return too_old % {**words, "limit": facts.max_age}
        if facts.min_age is not None and age < facts.min_age:
            too_young = _(
                "%(field)s makes the person %(age)s years old; this service is for those aged %(limit)s or over."
            )
            return too_young % {**words, "limit": facts.min_age}
    return None


def form_errors(schema: dict[str, Any], data: Any, facts: FormFacts | None = None) -> dict[str, list[str]]:
    """{field: [reasons]} for every way `data` fails `schema`; empty when it passes.

    Date fields (`format: date`) may carry rules, each refused with a full sentence naming the field:
    `"x-not-after-today": true` (a birth, a death: today at the latest); `"x-not-before": "<reference>"` (not
    before a registry date of `facts`, one of DATE_REFERENCES: a child is not born before its parent);
    `"x-subject": "birth_date"` (the subject's date of birth: the age it gives today must be within the service's
    age limits in `facts`)."""
    facts = facts or FormFacts()
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    errors: dict[str, list[str]] = {}
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        field_name, reason = _reason(error)
        errors.setdefault(f"data.{field_name}" if field_name and field_name != "data" else "data", []).append(reason)
    if isinstance(data, dict):
        today = timezone.localdate()
        for name, prop in schema.get("properties", {}).items():
            value = data.get(name)
            if prop.get("format") != "date" or not isinstance(value, str) or f"data.{name}" in errors:
                continue
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                continue  # not a date: the format check named it
            label = localised(prop.get("x-label") or prop.get("title") or name)
            problem = _date_problem(prop, label, day, facts, today)
            if problem:
                errors[f"data.{name}"] = [problem]
    return errors


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: str  # text, textarea, date, integer, select, checkbox, lines
    required: bool
    choices: list[tuple[str, str]]
    help: str
    prefill_key: str | None


def form_fields(schema: dict[str, Any], ui_hints: dict[str, Any]) -> list[FormField]:
    """The schema's properties in order, as fields a plain HTML form can show."""
    required = set(schema.get("required", []))
    fields = []
    for name, prop in schema.get("properties", {}).items():
        hints = ui_hints.get(name, {})
        label = localised(prop.get("x-label") or prop.get("title") or name)
        choices: list[tuple[str, str]] = []
        if "enum" in prop:
            kind = "select"
            labels = prop.get("x-enum-labels", {})
            choices = [(str(value), localised(labels.get(str(value), value))) for value in prop["enum"]]
        elif prop.get("type") == "boolean":
            kind = "checkbox"
        elif prop.get("type") == "array":
            kind = "lines"  # a textarea, one item per line
        elif prop.get("type") == "integer":
            kind = "integer"
        elif prop.get("format") == "date":
            kind = "date"
        else:
            kind = hints.get("widget", "text")
        fields.append(
            FormField(
                name=name,
                label=label,
                kind=kind,
                required=name in required,
                choices=choices,
                help=localised(prop.get("description", "")),
                prefill_key=prop.get("x-prefill"),
            )
        )
    return fields


def date_typed(value: str) -> str:
    """A date as a person types it in the active language (DD-MM-YYYY in Indonesian; the formats' DATE_INPUT_FORMATS,
    config/formats/) as the schema's ISO date; anything else unchanged, for the schema to refuse with the field's
    name."""
    for pattern in get_format("DATE_INPUT_FORMATS"):
        try:
            return dt.datetime.strptime(value, pattern).date().isoformat()  # noqa: DTZ007 (a date, no time)
        except ValueError:
            continue
    return value


def date_shown(value: Any) -> Any:
    """An ISO date as the page shows it (DD-MM-YYYY in Indonesian); anything else unchanged."""
    try:
        return date_format(dt.date.fromisoformat(str(value)), "SHORT_DATE_FORMAT")
    except ValueError:
        return value


def coerce_form_post(schema: dict[str, Any], post: Any) -> dict[str, Any]:
    """Turn an HTML form's strings into the JSON types the schema expects; empty optional fields are left out
    so that the schema, not this function, decides what is missing."""
    data: dict[str, Any] = {}
    for name, prop in schema.get("properties", {}).items():
        raw = post.get(f"f_{name}")
        if prop.get("type") == "boolean":
            data[name] = raw in {"on", "true", "1"}
            continue
        if raw is None or str(raw).strip() == "":
            continue
        value = str(raw).strip()
        if prop.get("type") == "array":
            data[name] = [line.strip() for line in value.splitlines() if line.strip()]
            continue
        if prop.get("format") == "date":
            data[name] = date_typed(value)
            continue
        if prop.get("type") == "integer":
            try:
                data[name] = int(value)
            except ValueError:
                data[name] = value  # the schema reports the wrong type with the field's name
        else:
            data[name] = value
    return data
