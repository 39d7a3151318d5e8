"""Background work for creators: the API's roster import jobs."""

from celery import shared_task


@shared_task(name="creators.roster_import_run", acks_late=True)
def roster_import_run(job_id: int) -> str:
    """Import a stored roster file; running it again for a finished job changes nothing."""
    from creators.roster.jobs import roster_import_job_run

    return roster_import_job_run(job_id=job_id)


@shared_task(name="creators.roster_import_jobs_requeue")
def roster_import_jobs_requeue() -> int:
    """Beat: import jobs whose task a broker outage lost are queued again."""
    from creators.sweeps import roster_import_jobs_requeue as sweep

    return sweep()


@shared_task(name="creators.roster_claim_invitations_send", acks_late=True, max_retries=3)
def roster_claim_invitations_send(profile_ids: list[int]) -> int:
    """Email the claim link to roster creators imported with an email; each one at most once."""
    from creators.roster.claims import roster_claim_invitations_send as send

    return send(profile_ids=profile_ids)


@shared_task(name="creators.roster_claim_invitations_requeue")
def roster_claim_invitations_requeue() -> int:
    """Beat: claim invitations a broker outage lost are queued again."""
    from creators.sweeps import roster_claim_invitations_requeue as sweep

    return sweep()
