"""Cause briefs: an NGO's brief is a cause campaign under the non-commercial preset by default, paid,
stipend or volunteer, tagged with causes; brands do not run them (they sponsor them). A volunteer
brief is recommended to, open to and invitable for creators open to pro-bono work only; stipend and
paid briefs are open to everyone."""

from decimal import Decimal

import pytest
from django.urls import reverse

from campaigns.eligibility import check_eligibility
from campaigns.match_index import rank_creators
from campaigns.models import Application, Campaign, Recommendation
from campaigns.ranking import FEATURE_VALUES, brief_spec, match_features_refresh, rank_python
from campaigns.recommendations import recommendations_refresh
from campaigns.services import applications, briefs
from campaigns.services.brief_checks import BriefInvalid
from campaigns.services.invitations import INELIGIBLE, INVITED, invitation_create_many
from creators.models import Cause, MatchFeatures
from marketplace.errors import ValidationFailed
from tests.campaigns.factories import CampaignFactory, make_creator
from tests.campaigns.test_briefs import _complete_fields, _form_data

pytestmark = pytest.mark.django_db

PRO_BONO_REFUSAL = (
    "This is a volunteer campaign: it pays no fee, so it is open to creators who accept pro-bono work "
    "for causes. If you do, tick “Open to pro-bono work for causes” on your profile."
)


def cause(slug="ocean-conservation"):
    return Cause.objects.get(slug=slug)


def volunteer_brief(org, **fields):
    campaign = CampaignFactory(
        organization=org,
        kind=Campaign.Kind.CAUSE,
        compensation=Campaign.Compensation.VOLUNTEER,
        fee_min=None,
        fee_max=None,
        usage_rights=Campaign.UsageRights.NGO_NONCOMMERCIAL,
        nano_share=0,
        **fields,
    )
    campaign.causes.set([cause()])
    return campaign


def person(*, pro_bono: bool, followers: int = 25_000):
    profile = make_creator(followers=followers)
    profile.open_to_pro_bono = pro_bono
    profile.save(update_fields=["open_to_pro_bono"])
    return profile


# Defaults and rules of the brief


def test_an_ngo_brief_starts_as_a_non_commercial_cause_campaign(ngo_org, ngo_manager):
    campaign = briefs.campaign_create(organization=ngo_org, by_user=ngo_manager, title="Clean beach weekend")

    assert campaign.kind == Campaign.Kind.CAUSE
    assert campaign.usage_rights == Campaign.UsageRights.NGO_NONCOMMERCIAL
    assert campaign.currency == ngo_org.default_currency


def test_the_ngo_form_defaults_and_explains_the_compensations(client, ngo_org, ngo_manager):
    client.force_login(ngo_manager)

    response = client.get(reverse("campaigns:campaign_create", args=[ngo_org.slug]))

    form = response.context["form"]
    assert form["kind"].value() == Campaign.Kind.CAUSE
    assert form["usage_rights"].value() == Campaign.UsageRights.NGO_NONCOMMERCIAL
    assert [value for value, _label in form.fields["compensation"].choices] == [
        "paid",
        "stipend",
        "volunteer",
    ]
    page = response.content.decode()
    assert "Stipend: a smaller amount that covers the creator&#x27;s costs" in page
    assert "Volunteer: no money at all; only creators who said they are open to pro-bono work" in page


def test_the_brand_form_has_no_cause_choices(client, brand_org, brand_manager):
    client.force_login(brand_manager)

    form = client.get(reverse("campaigns:campaign_create", args=[brand_org.slug])).context["form"]

    assert "kind" not in form.fields and "causes" not in form.fields and "compensation" not in form.fields
    assert "ngo_noncommercial" not in [value for value, _label in form.fields["usage_rights"].choices]


def test_a_brand_cannot_create_a_cause_brief(brand_org, brand_manager):
    with pytest.raises(BriefInvalid) as caught:
        briefs.campaign_create(
            organization=brand_org, by_user=brand_manager, **_complete_fields(kind=Campaign.Kind.CAUSE)
        )

    assert caught.value.errors == [
        (
            "kind",
            "Only NGOs can run social-cause campaigns; a brand's campaign is commercial. To support a cause, "
            "sponsor an NGO's campaign.",
        )
    ]
    assert not Campaign.objects.exists()


def test_a_brand_posting_cause_on_the_web_still_gets_a_commercial_brief(client, brand_org, brand_manager):
    client.force_login(brand_manager)

    response = client.post(
        reverse("campaigns:campaign_create", args=[brand_org.slug]),
        _form_data(kind="cause", compensation="volunteer", causes=[cause().pk]),
    )

    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert (campaign.kind, campaign.compensation) == (Campaign.Kind.COMMERCIAL, Campaign.Compensation.PAID)
    assert not campaign.causes.exists()


def test_a_cause_brief_needs_a_cause_to_be_published(client, ngo_org, ngo_manager):
    campaign = briefs.campaign_create(organization=ngo_org, by_user=ngo_manager, **_complete_fields())

    with pytest.raises(BriefInvalid) as caught:
        briefs.campaign_publish(campaign=campaign, by_user=ngo_manager)

    assert caught.value.errors == [("causes", "Choose the cause this campaign supports.")]
    client.force_login(ngo_manager)
    page = client.get(reverse("campaigns:campaign_manage", args=[campaign.pk])).content.decode()
    assert "Choose the cause this campaign supports." in page

    briefs.campaign_update(campaign=campaign, by_user=ngo_manager, causes=[cause()])
    briefs.campaign_publish(campaign=campaign, by_user=ngo_manager)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.PUBLISHED


def test_an_ngo_creates_a_volunteer_cause_brief_on_the_web(client, ngo_org, ngo_manager):
    client.force_login(ngo_manager)

    response = client.post(
        reverse("campaigns:campaign_create", args=[ngo_org.slug]),
        _form_data(
            kind="cause",
            compensation="volunteer",
            causes=[cause().pk],
            fee="",
            usage_rights="ngo_noncommercial",
        ),
    )

    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert (campaign.kind, campaign.compensation) == ("cause", "volunteer")
    assert list(campaign.causes.all()) == [cause()]
    briefs.campaign_publish(campaign=campaign, by_user=ngo_manager)


# Pro-bono creators and volunteer briefs


def test_a_volunteer_brief_is_open_only_to_creators_open_to_pro_bono(ngo_org):
    campaign = volunteer_brief(ngo_org)

    refused = check_eligibility(campaign=campaign, creator=person(pro_bono=False))
    accepted = check_eligibility(campaign=campaign, creator=person(pro_bono=True))

    assert not refused.eligible
    assert refused.problems == [PRO_BONO_REFUSAL]
    assert refused.fixable
    assert accepted.eligible


@pytest.mark.parametrize("compensation", [Campaign.Compensation.STIPEND, Campaign.Compensation.PAID])
def test_stipend_and_paid_cause_briefs_are_open_to_everyone(ngo_org, compensation):
    campaign = CampaignFactory(organization=ngo_org, kind=Campaign.Kind.CAUSE, compensation=compensation)

    assert check_eligibility(campaign=campaign, creator=person(pro_bono=False)).eligible


def test_a_creator_not_open_to_pro_bono_cannot_apply_to_a_volunteer_brief(client, ngo_org):
    campaign = volunteer_brief(ngo_org)
    closed = person(pro_bono=False)

    with pytest.raises(ValidationFailed, match="open to creators who accept pro-bono work"):
        applications.application_create(
            campaign=campaign, creator=closed, by_user=closed.user, pitch="I love beaches.", proposed_fee=None
        )
    client.force_login(closed.user)
    page = client.get(reverse("campaigns:brief_detail", args=[campaign.pk])).content.decode()
    assert "Open to pro-bono work for causes" in page

    willing = person(pro_bono=True)
    applications.application_create(
        campaign=campaign, creator=willing, by_user=willing.user, pitch="I run clean-ups.", proposed_fee=None
    )
    assert list(Application.objects.values_list("creator_id", flat=True)) == [willing.pk]


def test_inviting_to_a_volunteer_brief_skips_creators_not_open_to_pro_bono(ngo_org, ngo_manager):
    campaign = volunteer_brief(ngo_org)
    closed, willing = person(pro_bono=False), person(pro_bono=True)

    results = invitation_create_many(
        campaign=campaign, by_user=ngo_manager, creators=[closed, willing], offered_fee=Decimal("0")
    )

    assert [(r.creator, r.status) for r in results] == [(closed, INELIGIBLE), (willing, INVITED)]
    assert results[0].message == PRO_BONO_REFUSAL


def test_a_volunteer_brief_ranks_and_recommends_only_pro_bono_creators(ngo_org):
    willing = [person(pro_bono=True, followers=20_000 + n) for n in range(2)]
    closed = [person(pro_bono=False, followers=30_000 + n) for n in range(3)]
    match_features_refresh()
    volunteer = volunteer_brief(ngo_org)
    stipend = CampaignFactory(
        organization=ngo_org,
        kind=Campaign.Kind.CAUSE,
        compensation=Campaign.Compensation.STIPEND,
        nano_share=0,
    )
    rows = list(MatchFeatures.objects.values(*FEATURE_VALUES))

    spec = brief_spec(volunteer)
    assert spec.pro_bono_only and not brief_spec(stipend).pro_bono_only
    ranked = rank_creators(spec, limit=10)
    assert ranked == rank_python(spec, rows, limit=10)
    assert {r.profile_id for r in ranked} == {p.pk for p in willing}
    assert len(rank_creators(brief_spec(stipend), limit=10)) == len(willing) + len(closed)

    assert recommendations_refresh(campaign_id=volunteer.pk) == 2
    assert set(Recommendation.objects.filter(campaign=volunteer).values_list("creator_id", flat=True)) == {
        p.pk for p in willing
    }


def test_the_profile_form_explains_the_pro_bono_choice(client, creator):
    client.force_login(creator)

    page = client.get(reverse("creators:profile_edit")).content.decode()

    assert "Open to pro-bono work for causes" in page
    assert "NGOs can invite you to volunteer campaigns" in page
