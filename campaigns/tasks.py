"""Scheduled lifecycle chores. Thin: each calls one idempotent service, so a rerun changes nothing."""

from celery import shared_task

RETRY = {"autoretry_for": (Exception,), "retry_backoff": 60, "retry_backoff_max": 900, "max_retries": 5}


@shared_task(name="campaigns.invitations_expire", **RETRY)
def invitations_expire() -> int:
    from campaigns.services.invitation_expiry import invitations_expire_due

    return invitations_expire_due()


@shared_task(name="campaigns.invitations_remind_expiring", **RETRY)
def invitations_remind_expiring() -> int:
    from campaigns.services.invitation_expiry import invitations_remind_expiring as remind

    return remind()


@shared_task(name="campaigns.deliverables_auto_confirm", **RETRY)
def deliverables_auto_confirm() -> int:
    from campaigns.services.publishing import deliverables_auto_confirm_due

    return deliverables_auto_confirm_due()


@shared_task(name="campaigns.collaborations_remind_content_due", **RETRY)
def collaborations_remind_content_due() -> int:
    from campaigns.services.publishing import collaborations_remind_content_due as remind

    return remind()


@shared_task(name="campaigns.campaign_complete_if_finished", **RETRY)
def campaign_complete_if_finished(campaign_id: int) -> bool:
    from campaigns.services.campaign_closing import campaign_complete_if_finished as complete

    return complete(campaign_id=campaign_id)


@shared_task(
    name="campaigns.notification_emails_send",
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=8,
)
def notification_emails_send(notification_ids: list[int]) -> int:
    """Email a chunk of notifications; the sender skips any that went already, so a retry is safe."""
    from marketplace.services import notification_email_send

    return sum(notification_email_send(notification_id=pk) for pk in notification_ids)


@shared_task(bind=True, name="campaigns.invitation_batch_run", max_retries=5)
def invitation_batch_run(self, batch_id: int) -> str:
    """Run a bulk invitation from where it stopped. Retries resume too; the last failure marks it failed."""
    from campaigns.services.invitation_batches import invitation_batch_fail, invitation_batch_process

    try:
        return invitation_batch_process(batch_id=batch_id)
    except Exception as error:
        if self.request.retries >= self.max_retries:
            invitation_batch_fail(batch_id=batch_id)
            raise
        raise self.retry(exc=error, countdown=min(60 * 2**self.request.retries, 900)) from error


@shared_task(name="campaigns.invitation_batches_requeue_stuck")
def invitation_batches_requeue_stuck() -> int:
    """Beat: bulk invitations whose run was lost (broker down, worker gone) are queued again."""
    from campaigns.services.sweeps import invitation_batches_requeue_stuck as sweep

    return sweep()


# Matching: features and recommendations. Each run recomputes from the database, so a retry or a
# duplicate delivery stores the same rows.


@shared_task(name="campaigns.recommendations_refresh", **RETRY)
def recommendations_refresh(campaign_id: int) -> int:
    from campaigns.recommendations import recommendations_refresh as refresh

    return refresh(campaign_id=campaign_id)


@shared_task(name="campaigns.recommendations_refresh_stale", **RETRY)
def recommendations_refresh_stale() -> int:
    from campaigns.recommendations import recommendations_refresh_stale as refresh

    return refresh()


@shared_task(name="campaigns.creators_changed", **RETRY)
def creators_changed(profile_ids: list[int]) -> int:
    """A creator's profile, accounts or rates changed: refresh their features now, and the briefs'
    recommendations once the burst of changes is over (debounced)."""
    from campaigns.ranking import match_features_refresh
    from campaigns.recommendations import recommendations_mark_stale

    written = match_features_refresh(profile_ids=profile_ids)
    recommendations_mark_stale()
    return written


@shared_task(name="campaigns.match_features_refresh_all", **RETRY)
def match_features_refresh_all() -> int:
    from campaigns.ranking import match_features_refresh, tier_medians_refresh
    from campaigns.recommendations import recommendations_refresh_all

    written = match_features_refresh(medians=tier_medians_refresh())
    recommendations_refresh_all()
    return written
