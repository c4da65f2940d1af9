"""Template helpers for forms: the error summary every form shows at its top (in the manner of the GOV.UK Design
System's error summary), one line per problem, each linking to its field."""

from typing import Any

from django import forms, template

register = template.Library()


@register.filter
def problems(form: forms.BaseForm) -> list[dict[str, str]]:
    """Every error of a submitted form, in field order, as {"href", "text"}: a field's error names the field (its
    label, then the reason), so the summary reads on its own; an error of the whole form (shown only here) links to
    its first field."""
    first = next((f"#{field.id_for_label}" for field in form if not field.is_hidden), "#main")
    found: list[dict[str, str]] = [{"href": first, "text": str(e)} for e in form.non_field_errors()]
    for field in form:
        if field.is_hidden:
            continue
        found += [{"href": f"#{field.id_for_label}", "text": f"{field.label}: {e}"} for e in field.errors]
    return found


@register.inclusion_tag("web/_error_summary.html")
def error_summary(items: list[dict[str, Any]]) -> dict[str, Any]:
    """The summary box for `items` ({"href", "text"}); nothing when there is no problem."""
    return {"items": items}
