"""Where a creator stands on a brief, in two separate answers.

Eligibility: does the creator meet the brief's hard rules (platform, followers, engagement, language,
country; on a volunteer brief, being open to pro-bono work)? Each rule passes or fails, explained in
words; failing one stops an application.
Match: how well the creator suits the brief (niche, causes, audience, fee, track record), the
0–100 match score of campaigns/matching.py with its top reasons. It informs, it never blocks: a
creator can meet every rule and still be a weak match.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import prefetch_related_objects
from django.utils import formats, timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django_countries import countries

from campaigns.models import Campaign
from creators.authenticity import real_data_prefetch
from creators.models import CreatorProfile, Platform, SocialAccount
from creators.services.social_accounts import verified_on
from creators.taxonomy import LANGUAGE_NAMES
from platforms.models import CONNECTABLE

if TYPE_CHECKING:  # campaigns.matching imports this module
    from campaigns.matching import Reliability

# An audience country counts as targeted when it holds at least this share of the audience.
AUDIENCE_COUNTRY_SHARE = Decimal("10")

# Match scores (0–100) from these up read as a strong, then a fair match; below, a weak one. A
# creator who shares none of the brief's niches loses its 25 niche points and, with the rest merely
# neutral, lands near 50: weak.
STRONG_MATCH = 70
FAIR_MATCH = 55
# How many reasons a match shows: the first ones, which are its heaviest components (niche first).
MATCH_REASONS = 3


@dataclass
class Check:
    ok: bool
    text: str
    # False when editing the profile cannot fix it: the numbers are verified from the platform.
    fixable: bool = True


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

    @property
    def fixable(self) -> bool:
        """Whether updating the profile can fix a failed rule (verified numbers cannot be edited)."""
        return any(not check.ok and check.fixable for check in self.checks)

    @property
    def verified_numbers_failed(self) -> bool:
        return any(not check.ok and not check.fixable for check in self.checks)


def _number(value) -> str:
    # 25,000 in English, 25.000 in Indonesian.
    return number_format(value, force_grouping=True)


def _platform_names(codes) -> str:
    return ", ".join(str(Platform(code).label) for code in codes)


def follower_range_text(campaign: Campaign) -> str:
    """The brief's follower requirement in words, e.g. "1,000–100,000 followers"."""
    low, high = campaign.min_followers, campaign.max_followers
    if low is not None and high is not None:
        return _("%(low)s–%(high)s followers") % {"low": _number(low), "high": _number(high)}
    if low is not None:
        return _("at least %(low)s followers") % {"low": _number(low)}
    return _("at most %(high)s followers") % {"high": _number(high)}


def fits_follower_range(account: SocialAccount, campaign: Campaign) -> bool:
    low, high = campaign.min_followers, campaign.max_followers
    return (low is None or account.followers >= low) and (high is None or account.followers <= high)


def fits_audience(account: SocialAccount, campaign: Campaign) -> bool:
    """Follower range and minimum engagement, the rules an account is judged by."""
    return fits_follower_range(account, campaign) and (
        campaign.min_engagement_rate is None
        # Unknown engagement cannot show that it meets a minimum.
        or (account.engagement_rate is not None and account.engagement_rate >= campaign.min_engagement_rate)
    )


def connectable_platforms(campaign: Campaign) -> list[str]:
    """The brief's platforms whose accounts can be connected (verified); all of them when it names none."""
    return [code for code in CONNECTABLE if not campaign.platforms or code in campaign.platforms]


def verified_required_text(campaign: Campaign, *, for_creator: bool) -> str:
    """Why an account that is not verified does not count for a brief that requires verified ones."""
    names = [str(Platform(code).label) for code in connectable_platforms(campaign)]
    if not for_creator:
        return _(
            "No account connected to Kolabo on %(platforms)s: the brief accepts verified accounts only."
        ) % {"platforms": ", ".join(names) or _platform_names(campaign.platforms)}
    if len(names) == 1:
        return _(
            "This brief accepts only accounts connected to Kolabo, so their numbers are verified. "
            "Connect your %(platform)s account on your profile."
        ) % {"platform": names[0]}
    return _(
        "This brief accepts only accounts connected to Kolabo, so their numbers are verified. "
        "Connect your Instagram or TikTok account on your profile."
    )


def account_for_campaign(*, campaign: Campaign, accounts) -> SocialAccount | None:
    """The account a creator is judged by: among accounts on the brief's platforms (any platform
    when the brief names none; verified accounts only when the brief requires them), the largest
    that fits the audience rules, else the largest."""
    on_platform = [a for a in accounts if not campaign.platforms or a.platform in campaign.platforms]
    if campaign.requires_verified_accounts:
        on_platform = [a for a in on_platform if a.is_metrics_verified]
    if not on_platform:
        return None
    fitting = [a for a in on_platform if fits_audience(a, campaign)]
    # A known engagement rate beats an unknown one at equal followers; None is never compared.
    return max(
        fitting or on_platform,
        key=lambda a: (a.followers, a.engagement_rate is not None, a.engagement_rate or 0),
    )


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

    # Verified accounts only when the brief requires them: their numbers are the ones the rules read.
    best = account_for_campaign(campaign=campaign, accounts=on_platform)
    if campaign.requires_verified_accounts:
        if best is not None:
            result.checks.append(
                Check(
                    True,
                    _("%(account)s is connected to Kolabo: its numbers are verified.")
                    % {"account": _label(best)},
                )
            )
        else:
            result.checks.append(Check(False, verified_required_text(campaign, for_creator=True)))

    if best is not None:
        result.account = best
        result.checks.extend(_audience_checks(campaign, best))

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

    if campaign.compensation == Campaign.Compensation.VOLUNTEER:
        result.checks.append(_pro_bono_check(creator))

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


def _pro_bono_check(creator: CreatorProfile) -> Check:
    """A volunteer brief pays nothing: it is for creators who said they work pro bono for causes.
    Stipend and paid briefs are open to everyone, and a stipend is matched like a fee."""
    if creator.open_to_pro_bono:
        return Check(True, _("You are open to pro-bono work for causes."))
    return Check(
        False,
        _(
            "This is a volunteer campaign: it pays no fee, so it is open to creators who accept pro-bono "
            "work for causes. If you do, tick “Open to pro-bono work for causes” on your profile."
        ),
    )


def _label(account: SocialAccount) -> str:
    return f"{Platform(account.platform).label} @{account.handle}"


def _audience_checks(campaign: Campaign, best: SocialAccount) -> list[Check]:
    """The follower and engagement rules, judged on `best`. A verified account's numbers come from
    the platform, so a failure says so instead of inviting the creator to edit them."""
    checks = []
    values = {"account": _label(best), "followers": _number(best.followers), "rate": best.engagement_rate}
    if best.is_metrics_verified:
        values |= {"platform": Platform(best.platform).label, "date": formats.date_format(verified_on(best))}
    if campaign.min_followers is not None or campaign.max_followers is not None:
        fits = fits_follower_range(best, campaign)
        values["range"] = follower_range_text(campaign)
        if best.is_metrics_verified and not fits:
            text = _(
                "%(account)s has %(followers)s followers, verified from %(platform)s on %(date)s; "
                "the brief asks for %(range)s."
            )
        else:
            text = _("%(account)s has %(followers)s followers; the brief asks for %(range)s.")
        checks.append(Check(fits, text % values, fixable=fits or not best.is_metrics_verified))
    if campaign.min_engagement_rate is not None:
        values["minimum"] = campaign.min_engagement_rate
        if best.engagement_rate is None:
            text = _(
                "%(account)s has no likes or comments data, so its engagement rate is unknown; "
                "the brief asks for at least %(minimum)s%%. Add average likes and comments to the account."
            )
            checks.append(Check(False, text % values, fixable=True))
            return checks
        fits = best.engagement_rate >= campaign.min_engagement_rate
        if best.is_metrics_verified and not fits:
            text = _(
                "%(account)s has an engagement rate of %(rate)s%%, verified from %(platform)s on %(date)s; "
                "the brief asks for at least %(minimum)s%%."
            )
        else:
            text = _(
                "%(account)s has an engagement rate of %(rate)s%%; the brief asks for at least %(minimum)s%%."
            )
        checks.append(Check(fits, text % values, fixable=fits or not best.is_metrics_verified))
    return checks


@dataclass
class Match:
    """How well a creator suits a brief: the match score and the reasons that weigh most."""

    score: int
    reasons: list[str]
    # Shares none of the brief's niches: a weak match whatever the score (minimum relevance).
    off_niche: bool = False

    @property
    def strength(self) -> str:
        if self.off_niche:
            return "weak"
        if self.score >= STRONG_MATCH:
            return "strong"
        return "fair" if self.score >= FAIR_MATCH else "weak"

    @property
    def label(self) -> str:
        return {
            "strong": pgettext("match", "Strong match"),
            "fair": pgettext("match", "Fair match"),
            "weak": pgettext("match", "Weak match"),
        }[self.strength]


@dataclass
class MatchContext:
    """What scoring one creator against many briefs shares: load it once per page."""

    creator: CreatorProfile
    reliability: "Reliability"
    tier_medians: dict[str, float]
    today: date


def match_context(*, creator: CreatorProfile) -> MatchContext:
    """Load what the match score reads about the creator, in a fixed number of queries."""
    from campaigns.ranking import tier_medians
    from campaigns.selectors.reliability import creator_reliability

    prefetch_related_objects([creator], "niches", "causes", "rate_card")
    today = timezone.localdate()
    # Verified accounts' authenticity reads their snapshots: once here, not once per brief.
    real_data_prefetch(creator.social_accounts.all(), today=today)
    return MatchContext(
        creator=creator,
        reliability=creator_reliability(creator_ids=[creator.pk])[creator.pk],
        tier_medians=tier_medians(),
        today=today,
    )


def brief_match(*, campaign: Campaign, context: MatchContext, account: SocialAccount | None) -> Match:
    """The creator's match with `campaign` (prefetch its niches, causes and deliverables for a list),
    judged on `account`, the one eligibility chose (Eligibility.account)."""
    from campaigns.matching import match_score

    result = match_score(
        campaign=campaign,
        creator=context.creator,
        account=account,
        tier_medians=context.tier_medians,
        reliability=context.reliability,
        today=context.today,
    )
    reasons = [reason for reason in result.reasons if reason not in result.flags]
    # The niche component is 0 only when the brief names niches and the creator shares none.
    return Match(
        score=result.score, reasons=reasons[:MATCH_REASONS], off_niche=result.components["niche"] == 0
    )
