"""Whom an application is about, as service data: the `subject` of a service version's `eligibility`.

- `self` (the default): the applicant (their registry record; nobody for a citizen outside the registry);
- `family_member`: the applicant or a member of their family card (the older `"family_members": true` reads as this);
- `child`: a living member of the applicant's family card, not the applicant, aged at most the eligibility's
  `max_age` (and at least its `min_age`, when given): the child ID card (KIA);
- `newborn`: a person the registry does not hold yet, described by the form (the birth certificate). The form's
  fields marked `"x-subject": "name"` and `"x-subject": "birth_date"` name the child: the application is for that
  child, and two children of one parent (twins, siblings) are two applications. Pre-fill reads the applicant's
  record (the parents' names, the family card).

The API and the web form name the subject `self` or a family member's id (as /api/v1/me lists them); a refusal
names the field `subject`.
"""

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kotalive.accounts.models import User
from kotalive.catalogue.models import ServiceVersion
from kotalive.core.errors import ValidationFailed
from kotalive.registry.models import Person
from kotalive.registry.selectors import family_members

SELF, FAMILY_MEMBER, CHILD, NEWBORN = "self", "family_member", "child", "newborn"
SUBJECT_KINDS = (SELF, FAMILY_MEMBER, CHILD, NEWBORN)
# What a form field marked `"x-subject": <role>` says about a newborn subject (and, for `birth_date`, the date the
# service's age limits are checked against).
SUBJECT_ROLES = ("name", "birth_date")


def subject_kind(eligibility: dict[str, Any]) -> str:
    """The kind of subject a service's `eligibility` names (`family_members: true` of older versions included)."""
    kind = eligibility.get("subject")
    if kind:
        return str(kind)
    return FAMILY_MEMBER if eligibility.get("family_members") else SELF


def subject_field(schema: dict[str, Any], role: str) -> str | None:
    """The form field marked `"x-subject": role`, if any."""
    return next((name for name, prop in schema.get("properties", {}).items() if prop.get("x-subject") == role), None)


def eligibility_problems(eligibility: Any, schema: Any) -> list[str]:
    """Why `eligibility` cannot serve (empty when it can): an unknown subject kind, a child service without its age
    limit, a newborn service whose form does not require the child's name and date of birth."""
    if not isinstance(eligibility, dict):
        return [_("must be a JSON object")]
    problems = []
    kind = subject_kind(eligibility)
    if kind not in SUBJECT_KINDS:
        problems.append(_("subject must be one of %(kinds)s") % {"kinds": ", ".join(SUBJECT_KINDS)})
    for limit in ("min_age", "max_age"):
        value = eligibility.get(limit)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            problems.append(_("%(limit)s must be a whole number of years") % {"limit": limit})
    if kind == CHILD and not isinstance(eligibility.get("max_age"), int):
        problems.append(_("a service for children needs max_age, the oldest age it serves"))
    if kind == NEWBORN:
        form = schema if isinstance(schema, dict) else {}
        required = set(form.get("required", []))
        for role in SUBJECT_ROLES:
            name = subject_field(form, role)
            if name is None or name not in required:
                problems.append(
                    _("a service for a newborn needs a required form field marked x-subject %(role)s") % {"role": role}
                )
    return problems


def _own(user: User) -> Person | None:
    profile = getattr(user, "citizen", None)
    return profile.person if profile is not None else None


def _is_child(person: Person, eligibility: dict[str, Any], today: dt.date) -> bool:
    age = person.age_on(today)
    low, high = eligibility.get("min_age"), eligibility.get("max_age")
    return person.died_on is None and (high is None or age <= high) and (low is None or age >= low)


def subject_candidates(*, user: User, version: ServiceVersion) -> list[Person]:
    """The registry people other than themself whom `user` may choose as the subject: every member of their family
    card for `family_member`, its children within the age limits for `child`, nobody for `self` and `newborn`."""
    own = _own(user)
    kind = subject_kind(version.eligibility)
    if own is None or kind not in (FAMILY_MEMBER, CHILD):
        return []
    others = [m for m in family_members(person=own) if m.pk != own.pk]
    if kind == CHILD:
        today = timezone.localdate()
        return [m for m in others if _is_child(m, version.eligibility, today)]
    return others


def subject_default(*, user: User, version: ServiceVersion) -> str:
    """The subject a new form starts with: the applicant, but for a service for children their first eligible child
    ("" when they have none: nobody to apply for)."""
    if subject_kind(version.eligibility) != CHILD:
        return SELF
    children = subject_candidates(user=user, version=version)
    return str(children[0].pk) if children else ""


def resolve_subject(*, user: User, subject: str, version: ServiceVersion) -> Person | None:
    """The registry person the application is about: "self", or the id of a member of the citizen's family card
    (as listed by /api/v1/me), as the service's subject kind allows. None for a citizen outside the registry
    applying for themself, and for a newborn (whom the form describes)."""
    own = _own(user)
    kind = subject_kind(version.eligibility)
    myself = subject in ("", SELF) or (own is not None and str(subject) == str(own.pk))
    if kind == NEWBORN:
        if not myself:
            raise ValidationFailed(
                {"subject": [_("This service is for a child not yet in the registry: the form describes the child.")]}
            )
        return None
    if kind == CHILD:
        age = version.eligibility.get("max_age")
        if own is None:
            raise ValidationFailed(
                {"subject": [_("Only a citizen in the population registry applies for a child of their family card.")]}
            )
        if myself:
            raise ValidationFailed(
                {
                    "subject": [
                        _(
                            "Choose who this application is for: a child on your family card aged %(age)s or "
                            "under. This service is not for yourself."
                        )
                        % {"age": age}
                    ]
                }
            )
        member = next((m for m in family_members(person=own) if str(m.pk) == str(subject)), None)
        if member is None:
            raise ValidationFailed({"subject": [_("is not a member of your family card")]})
        if not _is_child(member, version.eligibility, timezone.localdate()):
            raise ValidationFailed(
                {
                    "subject": [
                        _(
                            "Choose who this application is for: %(name)s is not a child aged %(age)s or under, "
                            "and this service is for children."
                        )
                        % {"name": member.full_name.title(), "age": age}
                    ]
                }
            )
        return member
    if myself:
        return own
    if kind != FAMILY_MEMBER:
        raise ValidationFailed({"subject": [_("this service is only for yourself")]})
    if own is None:
        raise ValidationFailed({"subject": [_("only a registry-verified citizen applies for family members")]})
    member = next((m for m in family_members(person=own) if str(m.pk) == str(subject)), None)
    if member is None:
        raise ValidationFailed({"subject": [_("is not a member of your family card")]})
    return member


def prefill_person(*, user: User, version: ServiceVersion, person: Person | None) -> Person | None:
    """Whose registry record fills the form: the subject's, but the applicant's for a newborn (the parents' names,
    their family card)."""
    return _own(user) if subject_kind(version.eligibility) == NEWBORN else person
