"""Does a creator fit a brief? Hard rules only (platform, followers, engagement, language, country),
each explained in words. Ranking by fit is the matching issue's job."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django_countries import countries

from campaigns.models import Campaign
from creators.models import CreatorProfile, Platform, SocialAccount
from creators.taxonomy import LANGUAGE_NAMES

# An audience country counts as targeted when it holds at least this share of the audience.
AUDIENCE_COUNTRY_SHARE = Decimal("10")


@dataclass
class Check:
    ok: bool
    text: str


@dataclass
class Eligibility:
    checks: list[Check] = field(default_factory=list)
    account: SocialAccount | None = None

    @property
    def eligible(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def problems(self) -> list[str]:
        return [check.text for check in self.checks if not check.ok]


def _number(value) -> str:
    # 25,000 in English, 25.000 in Indonesian.
    return number_format(value, force_grouping=True)


def _platform_names(codes) -> str:
    return ", ".join(str(Platform(code).label) for code in codes)


def _follower_range(campaign: Campaign) -> str:
    low, high = campaign.min_followers, campaign.max_followers
    if low is not None and high is not None:
        return _("%(low)s–%(high)s followers") % {"low": _number(low), "high": _number(high)}
    if low is not None:
        return _("at least %(low)s followers") % {"low": _number(low)}
    return _("at most %(high)s followers") % {"high": _number(high)}


def _fits_audience(account: SocialAccount, campaign: Campaign) -> bool:
    low, high = campaign.min_followers, campaign.max_followers
    if low is not None and account.followers < low:
        return False
    if high is not None and account.followers > high:
        return False
    return campaign.min_engagement_rate is None or account.engagement_rate >= campaign.min_engagement_rate


def check_eligibility(*, campaign: Campaign, creator: CreatorProfile) -> Eligibility:
    """Evaluate every hard rule of the brief for this creator; pass prefetched accounts for speed."""
    result = Eligibility()
    accounts = list(creator.social_accounts.all())
    if campaign.platforms:
        on_platform = [a for a in accounts if a.platform in campaign.platforms]
        if on_platform:
            result.checks.append(
                Check(
                    True,
                    _("You have an account on %(platforms)s.")
                    % {"platforms": _platform_names({a.platform for a in on_platform})},
                )
            )
        else:
            result.checks.append(
                Check(
                    False,
                    _(
                        "The brief is for %(platforms)s, and you have no account there. Add one to your profile."
                    )
                    % {"platforms": _platform_names(campaign.platforms)},
                )
            )
    else:
        on_platform = accounts
        if not accounts:
            result.checks.append(
                Check(False, _("Add a social account with your metrics to your profile first."))
            )

    if on_platform:
        # Judge the creator by their best account on the brief's platforms.
        fitting = [a for a in on_platform if _fits_audience(a, campaign)]
        best = max(fitting or on_platform, key=lambda a: (a.followers, a.engagement_rate))
        result.account = best
        label = f"{Platform(best.platform).label} @{best.handle}"
        if campaign.min_followers is not None or campaign.max_followers is not None:
            low, high = campaign.min_followers, campaign.max_followers
            fits = (low is None or best.followers >= low) and (high is None or best.followers <= high)
            result.checks.append(
                Check(
                    fits,
                    _("%(account)s has %(followers)s followers; the brief asks for %(range)s.")
                    % {
                        "account": label,
                        "followers": _number(best.followers),
                        "range": _follower_range(campaign),
                    },
                )
            )
        if campaign.min_engagement_rate is not None:
            fits = best.engagement_rate >= campaign.min_engagement_rate
            result.checks.append(
                Check(
                    fits,
                    _(
                        "%(account)s has an engagement rate of %(rate)s%%; the brief asks for at least %(minimum)s%%."
                    )
                    % {
                        "account": label,
                        "rate": best.engagement_rate,
                        "minimum": campaign.min_engagement_rate,
                    },
                )
            )

    if campaign.target_languages:
        shared = [code for code in creator.languages if code in campaign.target_languages]
        wanted = ", ".join(str(LANGUAGE_NAMES.get(code, code)) for code in campaign.target_languages)
        if shared:
            result.checks.append(
                Check(
                    True,
                    _("You create content in %(languages)s.")
                    % {"languages": ", ".join(str(LANGUAGE_NAMES.get(c, c)) for c in shared)},
                )
            )
        else:
            result.checks.append(
                Check(
                    False,
                    _("The brief wants content in %(languages)s, which is not among your languages.")
                    % {"languages": wanted},
                )
            )

    if campaign.target_countries:
        audience = {
            entry.get("code")
            for account in on_platform
            for entry in (account.audience_countries or [])
            if Decimal(str(entry.get("pct", 0))) >= AUDIENCE_COUNTRY_SHARE
        }
        matches = ({creator.country.code} | audience) & set(campaign.target_countries)
        wanted = ", ".join(str(countries.name(code)) for code in campaign.target_countries)
        if matches:
            result.checks.append(
                Check(
                    True,
                    _("You or your audience are in %(countries)s.")
                    % {"countries": ", ".join(str(countries.name(c)) for c in sorted(matches))},
                )
            )
        else:
            result.checks.append(
                Check(
                    False,
                    _("The brief targets %(countries)s; neither you nor 10%% of your audience are there.")
                    % {"countries": wanted},
                )
            )
    return result
