import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from campaigns import tasks
from campaigns.models import Invitation
from marketplace.celery import app
from tests.campaigns.factories import InvitationFactory

pytestmark = pytest.mark.django_db


def test_every_scheduled_task_exists():
    app.loader.import_default_modules()  # the apps' tasks modules, as a worker imports them at start
    registered = set(app.tasks)

    assert {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} <= registered


def test_expiry_task_expires_overdue_invitations_once(campaign):
    overdue = InvitationFactory(campaign=campaign, expires_at=timezone.now() - datetime.timedelta(minutes=1))

    assert tasks.invitations_expire.delay().get() == 1
    assert tasks.invitations_expire.delay().get() == 0  # a rerun changes nothing
    overdue.refresh_from_db()
    assert overdue.status == Invitation.Status.EXPIRED


def test_lifecycle_chores_run_with_nothing_to_do():
    assert tasks.invitations_remind_expiring.delay().get() == 0
    assert tasks.deliverables_auto_confirm.delay().get() == 0
    assert tasks.collaborations_remind_content_due.delay().get() == 0
