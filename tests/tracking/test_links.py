"""Tracked links: one short link and promo code per collaboration, the destination with UTM
parameters, the redirect's answers, the QR codes and the collaboration page's panel."""

import struct
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from campaigns.models import Collaboration
from tests.campaigns.factories import CampaignFactory, start_collaboration
from tests.creators.factories import CreatorProfileFactory
from tracking import links
from tracking.links import CODE_ALPHABET, CODE_LENGTH, link_by_promo_code, link_for_collaboration
from tracking.models import TrackedLink, TrackingSettings

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"


@pytest.fixture
def collaboration(campaign, creator, brand_owner):
    return start_collaboration(campaign, creator.creator_profile, by_user=brand_owner)


@pytest.fixture
def link(collaboration):
    return collaboration.tracked_link


def set_target(campaign, url, **utm):
    return TrackingSettings.objects.update_or_create(campaign=campaign, defaults={"target_url": url, **utm})[
        0
    ]


def follow(client, link, **headers):
    return client.get(f"/r/{link.code}", HTTP_USER_AGENT=BROWSER, **headers)


# Creation


def test_a_collaboration_gets_its_link_and_promo_code_when_it_starts(collaboration):
    link = TrackedLink.objects.get(collaboration=collaboration)

    assert link.campaign_id == collaboration.campaign_id
    assert len(link.code) == CODE_LENGTH and set(link.code) <= set(CODE_ALPHABET)
    # "Ayu Lestari" → AYU and digits, upper case.
    assert link.promo_code.startswith("AYU") and link.promo_code[3:].isdigit()
    assert link.promo_code == link.promo_code.upper()
    assert link_for_collaboration(collaboration) == link  # get, not create again


def test_promo_codes_stay_unique_in_a_campaign_for_creators_with_the_same_name(brand_org, brand_owner):
    campaign = CampaignFactory(organization=brand_org, slots=40)
    codes = [
        start_collaboration(
            campaign, CreatorProfileFactory(display_name="Ayu Pratiwi"), by_user=brand_owner
        ).tracked_link.promo_code
        for _ in range(40)
    ]

    assert len(set(codes)) == 40
    assert all(code.startswith("AYU") for code in codes)


def test_promo_base_reads_names_in_any_script_and_falls_back():
    assert links.promo_base("Dé Wi") == "DEWI"
    assert links.promo_base("Siti Nurhaliza") == "SITI"
    assert links.promo_base("Raden Ajeng Kartini-Putri") == "RADEN"
    assert links.promo_base("山田") == links.PROMO_FALLBACK


def test_link_by_promo_code_ignores_case_and_stays_in_its_campaign(collaboration, link, brand_org):
    other = CampaignFactory(organization=brand_org)

    assert link_by_promo_code(collaboration.campaign_id, link.promo_code.lower()) == link
    assert link_by_promo_code(collaboration.campaign_id, f"  {link.promo_code} ") == link
    assert link_by_promo_code(other.pk, link.promo_code) is None
    assert link_by_promo_code(collaboration.campaign_id, "") is None


def test_existing_collaborations_get_their_link_lazily(collaboration, client, creator):
    TrackedLink.objects.filter(collaboration=collaboration).delete()  # started before tracking existed
    client.force_login(creator)

    response = client.get(collaboration.get_absolute_url())

    link = TrackedLink.objects.get(collaboration=collaboration)
    assert link.code in response.content.decode()


def test_links_ensure_for_campaign_fills_the_gaps_once(campaign, collaboration, brand_owner):
    second = start_collaboration(campaign, CreatorProfileFactory(), by_user=brand_owner)
    TrackedLink.objects.filter(collaboration=second).delete()

    assert links.links_ensure_for_campaign(campaign) == 1
    assert links.links_ensure_for_campaign(campaign) == 0
    assert TrackedLink.objects.filter(campaign=campaign).count() == 2


# The destination


def test_utm_parameters_are_appended_and_the_targets_own_query_and_fragment_kept(client, campaign, link):
    set_target(campaign, "https://shop.example/kopi?ref=ig&lang=id#order", utm_campaign="ramadan-2026")

    response = follow(client, link)

    assert response.status_code == 302
    url = urlsplit(response["Location"])
    query = parse_qs(url.query)
    assert (url.scheme, url.netloc, url.path, url.fragment) == ("https", "shop.example", "/kopi", "order")
    assert query["ref"] == ["ig"] and query["lang"] == ["id"]
    assert query["utm_source"] == ["kolabo"]
    assert query["utm_medium"] == ["influencer"]
    assert query["utm_campaign"] == ["ramadan-2026"]
    assert query["utm_content"] == [link.code]
    assert len(query["kclid"]) == 1 and len(query["kclid"][0]) >= 20
    assert response["Cache-Control"] == "no-store"


def test_utm_campaign_defaults_to_the_campaign_slug_and_the_targets_own_utm_wins(client, campaign, link):
    set_target(campaign, "https://shop.example/?utm_source=newsletter&kclid=forged", utm_campaign="")

    query = parse_qs(urlsplit(follow(client, link)["Location"]).query)

    assert query["utm_source"] == ["newsletter"]  # written by the organization into the target
    assert query["utm_campaign"] == ["kopi-at-sahur"]  # the fixture brief "Kopi at sahur"
    assert query["kclid"] != ["forged"] and len(query["kclid"]) == 1


def test_a_first_destination_applies_at_once_and_a_changed_one_after_forgetting_the_cache(
    client, campaign, link
):
    from tracking.clicks import link_targets_forget

    assert follow(client, link).status_code == 404  # nothing set: nothing cached either
    set_target(campaign, "https://one.example/")
    assert follow(client, link)["Location"].startswith("https://one.example/?")

    set_target(campaign, "https://two.example/")
    link_targets_forget(campaign.pk)

    assert follow(client, link)["Location"].startswith("https://two.example/?")


def test_without_a_destination_the_link_says_so_in_a_friendly_404(client, campaign, link):
    first = follow(client, link)
    set_target(campaign, "")
    second = follow(client, link)

    for response in (first, second):
        assert response.status_code == 404
        assert "has not set where its links lead" in response.content.decode()
    link.refresh_from_db()
    assert link.clicks == 0


def test_an_unknown_code_answers_404(client, link):
    assert client.get("/r/zzzzzzzz", HTTP_USER_AGENT=BROWSER).status_code == 404
    assert client.get("/r/zzzzzzzz/qr.svg").status_code == 404


def test_the_short_link_answers_with_and_without_a_trailing_slash(client, campaign, link):
    set_target(campaign, "https://shop.example/")

    assert follow(client, link).status_code == 302
    assert client.get(f"/r/{link.code}/", HTTP_USER_AGENT=BROWSER).status_code == 302
    assert reverse("tracking:link_redirect", args=[link.code]) == f"/r/{link.code}"


# QR codes


def test_the_qr_code_svg_encodes_the_short_link(client, link):
    response = client.get(f"/r/{link.code}/qr.svg")

    body = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert body.startswith("<?xml") and "<svg" in body and body.rstrip().endswith("</svg>")
    assert f"http://testserver/r/{link.code}" in body  # the title names what it encodes
    assert "Content-Disposition" not in response


def test_the_qr_code_png_is_a_downloadable_png(client, link):
    response = client.get(f"/r/{link.code}/qr.png", {"download": "1"})

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", response.content[16:24])
    assert width == height and width >= 200
    assert response["Content-Disposition"] == f'attachment; filename="kolabo-{link.code}.png"'


# The collaboration page's panel


@pytest.mark.parametrize("who", ["creator", "brand_owner", "brand_viewer"])
def test_both_sides_see_the_link_promo_code_qr_and_tracked_clicks(request, client, collaboration, link, who):
    TrackedLink.objects.filter(pk=link.pk).update(clicks=7)
    client.force_login(request.getfixturevalue(who))

    body = client.get(collaboration.get_absolute_url()).content.decode()

    assert f"http://testserver/r/{link.code}" in body
    assert link.promo_code in body
    assert f"/r/{link.code}/qr.svg" in body and f"/r/{link.code}/qr.png?download=1" in body
    assert "7 clicks" in body and "tracked" in body
    assert "has not set a destination" in body  # no TrackingSettings yet


def test_the_panel_drops_the_warning_once_a_destination_is_set(client, campaign, collaboration, creator):
    set_target(campaign, "https://shop.example/")
    client.force_login(creator)

    body = client.get(collaboration.get_absolute_url()).content.decode()

    assert "Tracked link" in body and "has not set a destination" not in body


def test_the_panel_is_hidden_from_staff_settling_a_dispute(collaboration, link, staff_user, rf):
    from django.template import Context, Template

    from campaigns.collaboration_selectors import STAFF, Viewer

    request = rf.get("/")
    template = Template("{% load tracked_links %}{% collaboration_link collaboration user %}")
    staff = Context(
        {
            "collaboration": collaboration,
            "user": staff_user,
            "request": request,
            "viewer": Viewer(side=STAFF, can_act=False),
        }
    )
    nobody = Context({"collaboration": collaboration, "user": staff_user, "request": request})

    assert template.render(staff).strip() == ""
    assert template.render(nobody).strip() == ""


def test_the_panel_costs_at_most_two_queries(collaboration, link, creator, rf, django_assert_max_num_queries):
    from django.template import Context, Template

    from campaigns.collaboration_selectors import CREATOR, Viewer

    collaboration = Collaboration.objects.select_related("campaign__organization", "creator").get(
        pk=collaboration.pk
    )
    request = rf.get("/")
    context = Context(
        {
            "collaboration": collaboration,
            "user": creator,
            "request": request,
            "viewer": Viewer(side=CREATOR, can_act=True),
        }
    )
    template = Template("{% load tracked_links %}{% collaboration_link collaboration user %}")

    with django_assert_max_num_queries(2):
        assert link.code in template.render(context)
