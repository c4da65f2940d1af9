"""The step indicator of an application (in the manner of the GOV.UK Design System's task list and step-by-step
patterns): the road from submission to the issued document, in the words of the service's own workflow definition,
with where the application stands on it. Shared by the case page, the confirmation page and the citizen's home page
(template `web/_steps.html`)."""

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kotalive.catalogue.models import localised
from kotalive.workflow.definitions import (
    AWAITING_AGENCY,
    AWAITING_CITIZEN,
    CANCELLED,
    COMPLETED,
    REJECTED,
    WAITING_STATE,
    Definition,
)

DONE, CURRENT, UPCOMING, ENDED = "done", "current", "upcoming", "ended"
# States off the road: a detour that comes back onto it (the citizen's revision, another agency's answer) or an end
# that is not the service delivered.
_OFF_ROAD = frozenset({AWAITING_CITIZEN, AWAITING_AGENCY, REJECTED, CANCELLED})


@dataclass(frozen=True)
class Step:
    code: str  # the workflow state, for tests and styling; never shown
    label: str
    status: str  # done | current | upcoming | ended
    note: str = ""  # where the application stands within a current step ("Revision requested"), or ""


def main_road(definition: Definition) -> list[str]:
    """The states from the initial one to the first completed one by the fewest moves, leaving out detours and
    refusals: submitted -> verification -> processing -> approval -> completed in the standard workflow. A
    definition without a way to completion gives its initial state alone."""
    came_from: dict[str, str | None] = {definition.initial: None}
    queue = deque([definition.initial])
    while queue:
        state = queue.popleft()
        if definition.category(state) == COMPLETED:
            road = []
            at: str | None = state
            while at is not None:
                road.append(at)
                at = came_from[at]
            return road[::-1]
        for transition in definition.transitions:
            target = transition.target
            fresh = state in transition.sources and target not in came_from and target in definition.states
            if fresh and definition.category(target) not in _OFF_ROAD:
                came_from[target] = state
                queue.append(target)
    return [definition.initial]


def application_steps(case: Any, *, visited: Iterable[str] | None = None) -> list[Step]:
    """Where `case` (an application, or any workflow subject with `workflow`, `state` and `resume_state`) stands on
    its road. `visited`, the states its timeline went through, tells where a refused or withdrawn one stopped;
    without it only submission counts as reached. A rejected or cancelled application ends with its own end state
    (status "ended"), never with the road's completion."""
    definition: Definition = case.workflow.parsed
    road = main_road(definition)
    state: str = case.state
    labels = {code: localised(s.label) or code for code, s in definition.states.items()}
    category = definition.category(state) if state in definition.states else ""
    if category in {REJECTED, CANCELLED}:
        seen = set(visited or ()) | {road[0]}
        reached = [code for code in road if code in seen and definition.category(code) != COMPLETED]
        return [Step(code, labels[code], DONE) for code in reached] + [Step(state, labels[state], ENDED)]
    if category == COMPLETED:
        return [Step(code, labels[code], DONE) for code in road[:-1]] + [Step(state, labels[state], DONE)]
    note = ""
    at = state
    if at not in road:
        # A detour: waiting for another agency (back where it waited) or for the citizen (at the step that asked).
        note = labels.get(state, "")
        resume = getattr(case, "resume_state", "")
        if state == WAITING_STATE and resume in road:
            at = resume
        else:
            asked_from = [
                source for t in definition.transitions if t.target == state for source in t.sources if source in road
            ]
            earlier = [code for code in road if code in set(visited or ())]
            at = (earlier or asked_from or road[:1])[-1]
    position = road.index(at)
    return [
        Step(code, labels[code], DONE if index < position else CURRENT if index == position else UPCOMING,
             note if index == position else "")
        for index, code in enumerate(road)
    ]  # fmt: skip
