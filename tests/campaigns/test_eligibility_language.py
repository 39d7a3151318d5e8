import pytest
from django.utils import translation

from campaigns.eligibility import check_eligibility

pytestmark = pytest.mark.django_db


def test_eligibility_numbers_follow_the_reader_language(campaign, creator):
    with translation.override("id"):
        result = check_eligibility(campaign=campaign, creator=creator.creator_profile)

    assert result.eligible
    followers = next(check.text for check in result.checks if "@ayu.cooks" in check.text)
    assert "25.000 pengikut" in followers
    assert "1.000–100.000" in followers
