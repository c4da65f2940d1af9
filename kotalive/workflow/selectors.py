"""Reads of what the kernel keeps for every subject kind."""

from django.db.models import OuterRef, Subquery

from kotalive.workflow.models import Rating, WorkflowSubject

_UNLOADED = object()


def subject_rating_scores(kind: str) -> Subquery:
    """An annotation for a queryset of subjects of `kind`: their rating's scores, or None, loaded with the subject
    (so a page or a list shows ratings without a query per subject). Name it `rating_scores`."""
    return Subquery(Rating.objects.filter(subject_type=kind, subject_id=OuterRef("pk")).values("scores")[:1])


def subject_rating_scores_get(subject: WorkflowSubject) -> list[int] | None:
    """The scores of `subject`'s rating, or None when it is not rated: from the `rating_scores` annotation when
    the subject was loaded with it, else one query."""
    loaded = getattr(subject, "rating_scores", _UNLOADED)
    if loaded is _UNLOADED:
        loaded = (
            Rating.objects.filter(subject_type=subject.event_kind, subject_id=subject.pk)
            .values_list("scores", flat=True)
            .first()
        )
    return loaded  # type: ignore[return-value]
