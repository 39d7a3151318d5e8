"""Recording conversions: attribution window, last touch, promo codes, duplicates, commissions; and
the tracking settings page with its services and panels."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from marketplace.errors import PermissionDeniedError, ValidationFailed
from marketplace.models import AuditEvent
from payments.models import CommissionAccrual
from platforms.crypto import decrypt_token
from tests.campaigns.factories import CampaignFactory
from tests.tracking import conversion_helpers
from tests.tracking.conversion_helpers import click_on
from tracking.attribution import Reason
from tracking.conversions import commission_for, conversion_record, conversion_record_result
from tracking.models import Conversion, ConversionGoal, TrackingSettings
from tracking.settings_services import conversion_goals_set, tracking_settings_update

# Fixtures shared by the conversion tests.
tracked_campaign, first, second, secret = (
    conversion_helpers.tracked_campaign,
    conversion_helpers.first,
    conversion_helpers.second,
    conversion_helpers.secret,
)

SOURCE = Conversion.Source.POSTBACK


def record(campaign, external_id="C-1", goal="signup", **kwargs):
    kwargs.setdefault("occurred_at", timezone.now())
    return conversion_record(
        campaign=campaign, goal_kind=goal, external_id=external_id, source=SOURCE, **kwargs
    )


# Attribution window


def test_a_click_exactly_at_the_window_edge_is_attributed(tracked_campaign, first):
    now = timezone.now()
    click = click_on(first, now - timedelta(days=30))

    conversion, status = record(tracked_campaign, occurred_at=now, click_token=click.token)

    assert status == "recorded"
    assert conversion.collaboration_id == first.collaboration_id
    assert conversion.touch == Conversion.Touch.LINK and conversion.click_id == click.pk


def test_a_click_one_second_beyond_the_window_is_not_attributed(tracked_campaign, first):
    now = timezone.now()
    click = click_on(first, now - timedelta(days=30, seconds=1))

    result = conversion_record_result(
        campaign=tracked_campaign,
        goal_kind="signup",
        external_id="C-1",
        occurred_at=now,
        click_token=click.token,
        source=SOURCE,
    )

    assert result.status == "unattributed" and result.reason == Reason.OUTSIDE_WINDOW
    assert result.conversion.collaboration is None and result.conversion.touch == ""
    assert Conversion.objects.filter(campaign=tracked_campaign, collaboration__isnull=True).count() == 1


def test_the_window_follows_the_campaign_setting(tracked_campaign, first, brand_owner):
    tracking_settings_update(campaign=tracked_campaign, by_user=brand_owner, attribution_window_days=7)
    now = timezone.now()
    click = click_on(first, now - timedelta(days=8))

    _conversion, status = record(tracked_campaign, occurred_at=now, click_token=click.token)

    assert status == "unattributed"


def test_a_conversion_before_its_click_is_not_attributed(tracked_campaign, first):
    now = timezone.now()
    click = click_on(first, now)

    result = conversion_record_result(
        campaign=tracked_campaign,
        goal_kind="signup",
        external_id="C-1",
        occurred_at=now - timedelta(minutes=1),
        click_token=click.token,
        source=SOURCE,
    )

    assert result.status == "unattributed" and result.reason == Reason.CLICK_AFTER


def test_a_click_on_another_campaigns_link_is_not_a_touch(tracked_campaign, first, brand_org):
    other = CampaignFactory(organization=brand_org)
    ConversionGoal.objects.create(campaign=other, kind="signup")
    click = click_on(first, timezone.now() - timedelta(hours=1))

    conversion, status = record(other, click_token=click.token)

    assert status == "unattributed" and conversion.collaboration is None


def test_an_unknown_click_id_records_the_conversion_without_a_creator(tracked_campaign, first):
    result = conversion_record_result(
        campaign=tracked_campaign,
        goal_kind="signup",
        external_id="C-1",
        occurred_at=timezone.now(),
        click_token="forged-token",
        source=SOURCE,
    )

    assert result.status == "unattributed" and result.reason == Reason.UNKNOWN_CLICK


# Last touch and promo codes


def test_a_promo_code_used_after_an_earlier_click_wins(tracked_campaign, first, second):
    now = timezone.now()
    click = click_on(first, now - timedelta(days=2))

    conversion, status = record(
        tracked_campaign, occurred_at=now, click_token=click.token, promo_code=second.promo_code
    )

    assert status == "recorded"
    assert conversion.collaboration_id == second.collaboration_id
    assert conversion.touch == Conversion.Touch.PROMO and conversion.click is None


def test_a_click_wins_over_an_unknown_promo_code(tracked_campaign, first):
    now = timezone.now()
    click = click_on(first, now - timedelta(days=2))

    conversion, _status = record(
        tracked_campaign, occurred_at=now, click_token=click.token, promo_code="NOPE99"
    )

    assert conversion.collaboration_id == first.collaboration_id and conversion.touch == "link"


def test_a_promo_code_takes_the_conversion_when_the_click_is_out_of_the_window(
    tracked_campaign, first, second
):
    now = timezone.now()
    click = click_on(first, now - timedelta(days=45))

    conversion, _status = record(
        tracked_campaign, occurred_at=now, click_token=click.token, promo_code=second.promo_code
    )

    assert conversion.collaboration_id == second.collaboration_id


def test_promo_codes_are_case_insensitive(tracked_campaign, first):
    conversion, status = record(tracked_campaign, promo_code=f"  {first.promo_code.lower()} ")

    assert status == "recorded" and conversion.collaboration_id == first.collaboration_id


# Duplicates


def test_a_conversion_id_reported_twice_counts_once(tracked_campaign, first):
    original, status = record(tracked_campaign, external_id="ORDER-7", promo_code=first.promo_code)
    again, again_status = record(tracked_campaign, external_id="ORDER-7", goal="donation", amount="5000")

    assert (status, again_status) == ("recorded", "duplicate")
    assert again.pk == original.pk and again.goal.kind == "signup"
    assert Conversion.objects.filter(campaign=tracked_campaign).count() == 1


def test_the_same_conversion_id_counts_separately_in_another_campaign(tracked_campaign, brand_org):
    other = CampaignFactory(organization=brand_org)
    ConversionGoal.objects.create(campaign=other, kind="signup")

    record(tracked_campaign, external_id="ORDER-7")
    _conversion, status = record(other, external_id="ORDER-7")

    assert status == "unattributed"
    assert Conversion.objects.filter(external_id="ORDER-7").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_reports_of_one_conversion_id_count_once(brand_org, brand_owner):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    campaign = CampaignFactory(organization=brand_org)
    ConversionGoal.objects.create(campaign=campaign, kind="signup")
    barrier = threading.Barrier(4)
    statuses, errors = [], []

    def report():
        try:
            barrier.wait(timeout=10)
            statuses.append(record(campaign, external_id="RACE-1")[1])
        except Exception as error:  # surfaced below: a failing thread must fail the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=report) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(statuses) == ["duplicate", "duplicate", "duplicate", "unattributed"]
    assert Conversion.objects.filter(campaign=campaign, external_id="RACE-1").count() == 1


# Validation


@pytest.mark.parametrize(
    ("goal", "amount", "field", "words"),
    [
        ("donation", None, "amount", "amount is missing"),
        ("donation", "-5", "amount", "cannot be negative"),
        ("donation", "0", "amount", "more than 0"),
        ("donation", "abc", "amount", "not a number"),
        ("donation", "10.505", "amount", "more than 2 decimals"),
        ("signup", "100", "amount", "has no amount"),
        ("sale", None, "goal", "not one of this campaign's goals"),
        ("", None, "goal", "goal is missing"),
    ],
)
def test_bad_conversions_are_refused_naming_the_field(tracked_campaign, goal, amount, field, words):
    with pytest.raises(ValidationFailed) as refused:
        record(tracked_campaign, goal=goal, amount=amount)

    assert refused.value.field == field and words in str(refused.value.message)
    assert not Conversion.objects.exists()


def test_a_conversion_in_the_future_is_refused_beyond_five_minutes_of_skew(tracked_campaign):
    now = timezone.now()
    with pytest.raises(ValidationFailed) as refused:
        record(tracked_campaign, external_id="F-1", occurred_at=now + timedelta(minutes=6))
    _conversion, status = record(tracked_campaign, external_id="F-2", occurred_at=now + timedelta(minutes=4))

    assert refused.value.field == "occurred_at"
    assert status == "unattributed"
    assert list(Conversion.objects.values_list("external_id", flat=True)) == ["F-2"]


def test_amounts_are_kept_in_the_campaign_currency(tracked_campaign):
    conversion, _status = record(tracked_campaign, goal="donation", amount="150000")

    assert conversion.amount == Decimal("150000.00") and conversion.currency == "IDR"


# Commissions


def test_a_fixed_commission_is_frozen_on_attributed_conversions_only(tracked_campaign, first, brand_owner):
    tracking_settings_update(
        campaign=tracked_campaign,
        by_user=brand_owner,
        commission_kind="fixed",
        commission_amount=Decimal("5000"),
    )
    attributed, _ = record(tracked_campaign, external_id="A", promo_code=first.promo_code)
    unattributed, _ = record(tracked_campaign, external_id="B")
    tracking_settings_update(
        campaign=tracked_campaign,
        by_user=brand_owner,
        commission_kind="fixed",
        commission_amount=Decimal("9000"),
    )
    attributed.refresh_from_db()

    assert attributed.commission == Decimal("5000.00")  # a later change does not touch it
    assert unattributed.commission is None


def test_a_percentage_commission_applies_to_amounts_and_rounds_half_up(tracked_campaign, first, brand_owner):
    tracking_settings_update(
        campaign=tracked_campaign,
        by_user=brand_owner,
        commission_kind="percent",
        commission_percent=Decimal("7.5"),
    )
    donation, _ = record(
        tracked_campaign, external_id="D", goal="donation", amount="1020", promo_code=first.promo_code
    )
    signup, _ = record(tracked_campaign, external_id="S", promo_code=first.promo_code)

    assert donation.commission == Decimal("77.00")  # 1020 × 7.5% = 76.5 → whole rupiah, half up
    assert signup.commission is None


def test_commission_for_without_settings_or_commission_is_none(tracked_campaign):
    assert commission_for(None, Decimal("10")) is None
    assert commission_for(TrackingSettings(campaign=tracked_campaign), Decimal("10")) is None


def test_a_conversion_after_the_collaborations_window_closed_is_not_attributed(tracked_campaign, first):
    CommissionAccrual.objects.create(
        collaboration_id=first.collaboration_id,
        amount=Decimal("0"),
        currency="IDR",
        conversions=0,
        window_closed_at=timezone.now(),
    )

    result = conversion_record_result(
        campaign=tracked_campaign,
        goal_kind="signup",
        external_id="LATE",
        occurred_at=timezone.now(),
        promo_code=first.promo_code,
        source=SOURCE,
    )

    assert result.status == "unattributed" and result.reason == Reason.WINDOW_CLOSED
    assert result.conversion.collaboration is None and result.conversion.commission is None


# Settings services


def test_a_percentage_commission_needs_a_goal_with_an_amount(tracked_campaign, brand_owner):
    with pytest.raises(ValidationFailed) as refused:
        tracking_settings_update(
            campaign=tracked_campaign,
            by_user=brand_owner,
            goals={"signup": ""},
            commission_kind="percent",
            commission_percent=Decimal("10"),
        )

    assert refused.value.field == "commission_kind" and "Donation or Sale" in str(refused.value.message)
    settings = TrackingSettings.objects.get(campaign=tracked_campaign)
    assert settings.commission_kind == ""
    assert set(tracked_campaign.conversion_goals.values_list("kind", flat=True)) == {"signup", "donation"}


def test_a_goal_with_conversions_cannot_be_removed(tracked_campaign, brand_owner):
    record(tracked_campaign, goal="donation", amount="100")

    with pytest.raises(ValidationFailed) as refused:
        conversion_goals_set(campaign=tracked_campaign, by_user=brand_owner, goals={"signup": ""})

    assert "Donation" in str(refused.value.message)
    assert tracked_campaign.conversion_goals.count() == 2


def test_settings_changes_are_audited(tracked_campaign, brand_owner):
    tracking_settings_update(
        campaign=tracked_campaign,
        by_user=brand_owner,
        goals={"signup": "Member", "sale": ""},
        utm_campaign="ramadan",
    )

    actions = set(AuditEvent.objects.filter(actor=brand_owner).values_list("action", flat=True))
    assert {"tracking.settings_updated", "tracking.goals_set"} <= actions
    event = AuditEvent.objects.filter(action="tracking.settings_updated").latest("pk")
    assert event.data["utm_campaign"] == ["", "ramadan"]


def test_a_viewer_cannot_change_the_settings(tracked_campaign, brand_viewer):
    with pytest.raises(PermissionDeniedError):
        tracking_settings_update(campaign=tracked_campaign, by_user=brand_viewer, attribution_window_days=5)


# Settings page


def _settings_post(**overrides):
    data = {
        "target_url": "https://example.org/donate",
        "utm_source": "kolabo",
        "utm_medium": "influencer",
        "utm_campaign": "laut",
        "attribution_window_days": "14",
        "goal_donation": "on",
        "label_donation": "Gift",
        "commission_kind": "percent",
        "commission_percent": "10",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_a_manager_saves_the_settings_page(client, tracked_campaign, brand_manager):
    client.force_login(brand_manager)

    response = client.post(reverse("tracking:settings", args=[tracked_campaign.pk]), _settings_post())

    assert response.status_code == 302
    settings = TrackingSettings.objects.get(campaign=tracked_campaign)
    assert (settings.target_url, settings.attribution_window_days) == ("https://example.org/donate", 14)
    assert (settings.commission_kind, settings.commission_percent) == ("percent", Decimal("10.00"))
    assert list(tracked_campaign.conversion_goals.values_list("kind", "label")) == [("donation", "Gift")]


def test_the_page_says_a_percentage_needs_a_donation_or_sale(client, tracked_campaign, brand_manager):
    client.force_login(brand_manager)

    response = client.post(
        reverse("tracking:settings", args=[tracked_campaign.pk]),
        _settings_post(goal_donation=None, goal_signup="on"),
    )

    assert response.status_code == 400
    assert "A percentage commission needs a goal with an amount" in response.content.decode()
    assert TrackingSettings.objects.get(campaign=tracked_campaign).commission_kind == ""


def test_a_viewer_reads_the_settings_but_cannot_change_them(client, tracked_campaign, brand_viewer):
    client.force_login(brand_viewer)
    url = reverse("tracking:settings", args=[tracked_campaign.pk])

    page = client.get(url)
    refused = client.post(url, _settings_post())
    rotate = client.post(reverse("tracking:secret_rotate", args=[tracked_campaign.pk]))

    assert page.status_code == 200 and "https://example.org/join" in page.content.decode()
    assert refused.status_code == 403 and rotate.status_code == 403
    assert TrackingSettings.objects.get(campaign=tracked_campaign).target_url == "https://example.org/join"
    assert TrackingSettings.objects.get(campaign=tracked_campaign).postback_secret == ""


def test_another_organization_gets_404(client, tracked_campaign, ngo_manager):
    client.force_login(ngo_manager)

    for name in ("tracking:settings", "tracking:conversion_list", "tracking:conversion_upload"):
        assert client.get(reverse(name, args=[tracked_campaign.pk])).status_code == 404
    assert (
        client.post(reverse("tracking:settings", args=[tracked_campaign.pk]), _settings_post()).status_code
        == 404
    )
    assert client.post(reverse("tracking:secret_rotate", args=[tracked_campaign.pk])).status_code == 404


def test_the_postback_secret_is_shown_once_and_stored_encrypted(client, tracked_campaign, brand_manager):
    client.force_login(brand_manager)

    response = client.post(reverse("tracking:secret_rotate", args=[tracked_campaign.pk]))
    again = client.get(reverse("tracking:settings", args=[tracked_campaign.pk]))

    settings = TrackingSettings.objects.get(campaign=tracked_campaign)
    secret = decrypt_token(settings.postback_secret)
    assert secret.startswith("kps_") and secret not in settings.postback_secret
    page = response.content.decode()
    assert secret in page and f"SECRET='{secret}'" in page
    assert f"/t/postback/{tracked_campaign.pk}/" in page
    assert secret not in again.content.decode()
    assert AuditEvent.objects.filter(action="tracking.postback_secret_created").count() == 1


# Panels


def test_the_manage_page_panel_shows_goals_counts_and_links(client, tracked_campaign, first, brand_manager):
    record(tracked_campaign, external_id="A", promo_code=first.promo_code)
    record(tracked_campaign, external_id="B")
    client.force_login(brand_manager)

    page = client.get(reverse("campaigns:campaign_manage", args=[tracked_campaign.pk])).content.decode()

    assert 'data-testid="tracking-panel"' in page
    assert "<td>Sign-up</td><td>2</td><td>1</td>" in page
    assert reverse("tracking:settings", args=[tracked_campaign.pk]) in page
    assert reverse("tracking:conversion_upload", args=[tracked_campaign.pk]) in page


def test_the_public_brief_shows_the_commission_only_when_there_is_one(
    client, tracked_campaign, brand_owner, creator
):
    client.force_login(creator)
    url = reverse("campaigns:brief_detail", args=[tracked_campaign.pk])
    before = client.get(url).content.decode()
    tracking_settings_update(
        campaign=tracked_campaign,
        by_user=brand_owner,
        commission_kind="fixed",
        commission_amount=Decimal("25000"),
    )

    after = client.get(url).content.decode()

    assert "brief-commission" not in before
    assert "<dt>Commission</dt>" in after and "Rp 25.000 per conversion" in after


def test_a_pixel_conversion_is_attributed_but_earns_no_commission(tracked_campaign, first, brand_owner):
    """Anyone can load a pixel URL, so only signed postbacks and the organization's CSV earn one."""
    tracking_settings_update(
        campaign=tracked_campaign,
        by_user=brand_owner,
        commission_kind="fixed",
        commission_amount=Decimal("5000"),
    )
    record = {"campaign": tracked_campaign, "goal_kind": "signup", "occurred_at": None}

    pixel, status = conversion_record(
        **record, external_id="px-1", promo_code=first.promo_code, source=Conversion.Source.PIXEL
    )
    postback, _status = conversion_record(
        **record, external_id="pb-1", promo_code=first.promo_code, source=Conversion.Source.POSTBACK
    )

    assert status == "recorded" and pixel.collaboration_id == first.collaboration_id
    assert pixel.commission is None
    assert postback.commission == Decimal("5000")
