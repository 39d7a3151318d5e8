"""A creator's track record for the match score (finished, on time, ratings), in a fixed number of
queries for any number of creators."""

from django.db.models import Avg, Count, Max, Q
from django.utils import timezone

from ..matching import Reliability
from ..models import Collaboration, Rating


def creator_reliability(*, creator_ids: list[int]) -> dict[int, Reliability]:
    """Each creator's track record for the match score, in two queries for any number of creators.

    finished: completed or cancelled collaborations; delivered: completed ones with a due date;
    on time: those whose every first draft (round 1) arrived on or before the due date (local
    date); ratings: the scores organizations gave on completed collaborations.
    """
    counts = {pk: {"finished": 0, "completed": 0, "delivered": 0, "on_time": 0} for pk in creator_ids}
    rows = (
        Collaboration.objects.filter(creator_id__in=creator_ids, status__in=Collaboration.FINAL)
        .annotate(
            last_first_draft=Max(
                "deliverables__submissions__created_at",
                filter=Q(deliverables__submissions__round=1),
            )
        )
        .values_list("creator_id", "status", "due_date", "last_first_draft")
    )
    for creator_id, status, due_date, last_first_draft in rows:
        record = counts[creator_id]
        record["finished"] += 1
        if status != Collaboration.Status.COMPLETED:
            continue
        record["completed"] += 1
        if due_date is not None:
            record["delivered"] += 1
            if last_first_draft is not None and timezone.localdate(last_first_draft) <= due_date:
                record["on_time"] += 1
    ratings = {
        row["collaboration__creator_id"]: row
        for row in Rating.objects.filter(
            collaboration__creator_id__in=creator_ids,
            collaboration__status=Collaboration.Status.COMPLETED,
            rated_side=Rating.Side.CREATOR,
        )
        .values("collaboration__creator_id")
        .annotate(average=Avg("score"), count=Count("pk"))
        .order_by()
    }
    return {
        pk: Reliability(
            **counts[pk],
            rating_average=ratings[pk]["average"] if pk in ratings else None,
            rating_count=ratings[pk]["count"] if pk in ratings else 0,
        )
        for pk in creator_ids
    }
