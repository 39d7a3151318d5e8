"""Helpers the organization services share: the role names, locking the organization row, e-mail after commit."""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string

from brands.models import Membership, Organization

Role = Membership.Role


def _email_on_commit(*, to: Iterable[str], subject: str, template: str, context: dict) -> None:
    """Render now (same language and data as the change), send only once the change is committed."""
    recipients = sorted({address for address in to if address})
    if not recipients:
        return
    body = render_to_string(template, context)
    subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject

    def send():
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)

    # robust: the change is already committed; a mail outage must not turn it into an error page.
    transaction.on_commit(send, robust=True)


def _lock_org(organization: Organization) -> Organization:
    return Organization.objects.select_for_update().get(pk=organization.pk)
