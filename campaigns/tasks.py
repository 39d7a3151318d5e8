"""Scheduled lifecycle chores. Thin: each calls one idempotent service, so a rerun changes nothing."""

from celery import shared_task

RETRY = {"autoretry_for": (Exception,), "retry_backoff": 60, "retry_backoff_max": 900, "max_retries": 5}


@shared_task(name="campaigns.invitations_expire", **RETRY)
def invitations_expire() -> int:
    from campaigns.services.invitations import invitations_expire_due

    return invitations_expire_due()


@shared_task(name="campaigns.invitations_remind_expiring", **RETRY)
def invitations_remind_expiring() -> int:
    from campaigns.services.invitations import invitations_remind_expiring as remind

    return remind()


@shared_task(name="campaigns.deliverables_auto_confirm", **RETRY)
def deliverables_auto_confirm() -> int:
    from campaigns.services.workspace import deliverables_auto_confirm_due

    return deliverables_auto_confirm_due()


@shared_task(name="campaigns.collaborations_remind_content_due", **RETRY)
def collaborations_remind_content_due() -> int:
    from campaigns.services.workspace import collaborations_remind_content_due as remind

    return remind()


@shared_task(name="campaigns.campaign_complete_if_finished", **RETRY)
def campaign_complete_if_finished(campaign_id: int) -> bool:
    from campaigns.services.briefs import campaign_complete_if_finished as complete

    return complete(campaign_id=campaign_id)
