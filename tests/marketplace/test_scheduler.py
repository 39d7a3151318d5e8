"""`manage.py run_scheduler`: the periodic chores of the default run, without Redis or celery beat."""

import logging
from collections import Counter
from datetime import timedelta

import pytest
from celery import shared_task
from django.core.management import CommandError, call_command
from django.utils import timezone

from campaigns.models import Invitation
from tests.campaigns.factories import InvitationFactory

pytestmark = pytest.mark.django_db

runs = Counter()


@shared_task(name="tests.scheduler_count")
def count(key: str) -> int:
    runs[key] += 1
    return runs[key]


@shared_task(name="tests.scheduler_boom")
def boom() -> None:
    raise RuntimeError("the chore broke")


@pytest.fixture(autouse=True)
def _fresh_counts():
    runs.clear()


def test_one_round_runs_the_due_chores_and_a_failing_chore_does_not_stop_the_others(settings, caplog):
    overdue = InvitationFactory(expires_at=timezone.now() - timedelta(minutes=1))
    settings.CELERY_BEAT_SCHEDULE = {
        "broken": {"task": "tests.scheduler_boom", "schedule": 60},
        "invitations-expire": {"task": "campaigns.invitations_expire", "schedule": 15 * 60},
        "counted": {"task": "tests.scheduler_count", "schedule": 60, "args": ("counted",)},
    }

    with caplog.at_level(logging.INFO, logger="marketplace.scheduler"):
        call_command("run_scheduler", "--once")

    overdue.refresh_from_db()
    assert overdue.status == Invitation.Status.EXPIRED
    assert runs == {"counted": 1}
    assert "Chore broken (tests.scheduler_boom) failed" in caplog.text
    assert "the chore broke" in caplog.text
    assert "Chore invitations-expire: 1" in caplog.text


def test_a_chore_runs_again_only_when_its_schedule_says_so(settings):
    settings.CELERY_BEAT_SCHEDULE = {
        "hourly": {"task": "tests.scheduler_count", "schedule": timedelta(hours=1), "args": ("hourly",)},
        "always": {"task": "tests.scheduler_count", "schedule": 0, "kwargs": {"key": "always"}},
        "broken": {"task": "tests.scheduler_boom", "schedule": 0},
    }

    call_command("run_scheduler", "--ticks", "3", "--max-sleep", "0")

    assert runs == {"hourly": 1, "always": 3}


def test_the_real_schedule_runs_on_an_empty_database(caplog):
    with caplog.at_level(logging.ERROR, logger="marketplace.scheduler"):
        call_command("run_scheduler", "--once")

    assert "failed" not in caplog.text


def test_production_settings_refuse_to_run_it(settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="celery beat"):
        call_command("run_scheduler", "--once")
