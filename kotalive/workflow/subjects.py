"""The subject kinds, by name: each kind registers its model from its AppConfig.ready(), so a kind that refers to
another subject by its tracking number (a coordination request's parent, a case or a report) finds it without
importing the other kind. Every subject model has a unique `tracking` field."""

from typing import Any

from kotalive.workflow.models import WorkflowSubject

_MODELS: dict[str, type[WorkflowSubject]] = {}


def subject_kind_register(model: type[WorkflowSubject]) -> None:
    _MODELS[model.event_kind] = model


def subject_find(tracking: str, *, kinds: tuple[str, ...], for_update: bool = False) -> WorkflowSubject | None:
    """The subject of one of `kinds` with this tracking number (locked when `for_update`), or None."""
    for kind in kinds:
        model = _MODELS.get(kind)
        if model is None:
            continue
        rows: Any = model._default_manager.select_related("workflow")
        if for_update:
            rows = rows.select_for_update(of=("self",))
        found = rows.filter(tracking=tracking).first()
        if found is not None:
            return found  # type: ignore[no-any-return]
    return None


def subject_get(kind: str, pk: int, *, for_update: bool = False) -> WorkflowSubject:
    model = _MODELS[kind]
    rows: Any = model._default_manager.select_related("workflow")
    if for_update:
        rows = rows.select_for_update(of=("self",))
    return rows.get(pk=pk)  # type: ignore[no-any-return]


def subject_kinds() -> tuple[str, ...]:
    """Every registered kind's name (event_kind)."""
    return tuple(_MODELS)
