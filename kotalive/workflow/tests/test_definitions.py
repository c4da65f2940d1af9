import copy
import json
from pathlib import Path

import pytest
from django.utils import translation

from kotalive.core.errors import ValidationFailed
from kotalive.workflow.definitions import validate_definition
from kotalive.workflow.services import workflow_definition_save

STANDARD = json.loads((Path(__file__).parents[1] / "data" / "standard-approval.json").read_text())["document"]


def _changed(change: object) -> dict:
    document = copy.deepcopy(STANDARD)
    change(document)  # type: ignore[operator]
    return document


def test_the_shipped_dukcapil_workflow_is_valid() -> None:
    assert validate_definition(STANDARD) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d["transitions"].__setitem__(0, {**d["transitions"][0], "roles": []}), "has no role"),
        (lambda d: d["states"].append({"code": "limbo", "category": "in_progress"}), "limbo cannot be reached"),
        (
            lambda d: d.__setitem__(
                "states", [s for s in d["states"] if s["category"] not in {"completed", "rejected", "cancelled"}]
            ),
            "no terminal state",
        ),
        (
            lambda d: d["transitions"].append(
                {"action": "x", "from": ["completed"], "to": "processing", "roles": ["head"]}
            ),
            "leaves terminal state",
        ),
        (lambda d: d["states"].__setitem__(0, {**d["states"][0], "category": "waiting"}), "category waiting"),
        (
            lambda d: d["transitions"].append(
                {"action": "y", "from": ["submitted"], "to": "nowhere", "roles": ["head"]}
            ),
            "unknown state nowhere",
        ),
    ],
)
def test_a_broken_definition_is_refused_with_its_reason(change: object, problem: str) -> None:
    with translation.override("en"):
        problems = validate_definition(_changed(change))

    assert any(problem in p for p in problems), problems


@pytest.mark.django_db
def test_saving_creates_versions_and_refuses_broken_ones() -> None:
    first = workflow_definition_save(actor=None, code="test-flow", name="Test", document=STANDARD)
    same = workflow_definition_save(actor=None, code="test-flow", name="Test", document=STANDARD)
    changed = workflow_definition_save(actor=None, code="test-flow", name="Test v2", document=STANDARD)

    assert (first.version, same.pk, changed.version) == (1, first.pk, 2)
    with pytest.raises(ValidationFailed):
        workflow_definition_save(actor=None, code="test-flow", name="Broken", document={"states": []})
