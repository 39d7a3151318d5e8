"""Creator discovery for organizations: filters, full-text search, sorting. One row per creator.

`creator_search` returns a CreatorProfile queryset annotated with the creator's *best account*
among the accounts that pass the account filters (most followers, then lowest id): its id, follower
count and engagement rate, plus the average rating organizations gave the creator on completed
collaborations. Use `attach_best_accounts` on a page of results to load those accounts in one query.
The account's numbers are its effective ones: verified values where its platform is connected
(the refresh writes them there), else what the creator typed; results show which
(templates/creators/_metrics_source.html).

Full text:
- PostgreSQL: display name and bio through the "kolabo_unaccent" text search configuration
  (simple + unaccent, see migration creators 0003), ranked with SearchRank; handles through
  trigram similarity, so "ayu_cooks" finds @ayu.cooks.
- SQLite: case-insensitive substring match on display name, bio and handle; relevance sorting
  falls back to followers.

Audience country and language filters take a minimum share: "ID" with 30 keeps accounts whose
audience list ([{"code": "ID", "pct": 82.0}, ...]) gives Indonesia at least 30% (30.0 passes,
29.9 does not). Without a share, DEFAULT_AUDIENCE_MIN_SHARE applies, so a country that is a sliver
of the audience no longer matches. The test runs in SQL on one account: PostgreSQL with
jsonb_path_exists, SQLite with json_each (`AudienceShareAtLeast`).
"""

import json
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Avg,
    BooleanField,
    Count,
    DecimalField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from brands.models import Membership

from .models import CreatorProfile, MetricsSource, RateCardItem, SocialAccount

SEARCH_CONFIG = "kolabo_unaccent"
# pg_trgm's default threshold is 0.3; handles are short, so a little stricter keeps noise out.
HANDLE_SIMILARITY = 0.35
MAX_PAGE_SIZE = 50
# Percent of an account's audience a filtered country or language must reach when the search names
# none: a fifth is a real, reachable part of the audience, not a stray visitor share.
DEFAULT_AUDIENCE_MIN_SHARE = 20


class Sort:
    RELEVANCE = "relevance"
    FOLLOWERS = "followers"
    ENGAGEMENT = "engagement"
    RATING = "rating"
    NEWEST = "newest"


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


class AudienceShareAtLeast(Func):
    """True when a JSON audience list ([{"code": "ID", "pct": 82.0}, ...]) holds `code` with a
    share of at least `minimum` percent. A boolean expression, so it filters directly."""

    output_field = BooleanField()
    _PATH = "$[*] ? (@.code == $code && @.pct >= $minimum)"

    def __init__(self, field: str, *, code: str, minimum):
        super().__init__(F(field))
        self.code, self.minimum = code, float(minimum)

    def as_sql(self, compiler, connection, **extra_context):
        # SQLite (JSON1): the list is stored as text; json_each walks it. `column` is compiled by
        # Django from the model field; the code and the share are parameters.
        column, params = compiler.compile(self.source_expressions[0])
        sql = (
            f"EXISTS (SELECT 1 FROM json_each({column}) AS audience_share "  # noqa: S608
            "WHERE json_extract(audience_share.value, '$.code') = %s "
            "AND json_extract(audience_share.value, '$.pct') >= %s)"
        )
        return sql, (*params, self.code, self.minimum)

    def as_postgresql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        variables = json.dumps({"code": self.code, "minimum": self.minimum})
        return (
            f"jsonb_path_exists({column}, %s::jsonpath, %s::jsonb)",
            (*params, self._PATH, variables),
        )


def _matching_accounts(filters: dict[str, Any]) -> QuerySet[SocialAccount]:
    """The creator's accounts that pass every account-level filter (all on the same account)."""
    accounts = SocialAccount.objects.filter(profile=OuterRef("pk"))
    if filters.get("platform"):
        accounts = accounts.filter(platform=filters["platform"])
    if filters.get("tier"):
        accounts = accounts.filter(tier=filters["tier"])
    if filters.get("min_followers") is not None:
        accounts = accounts.filter(followers__gte=filters["min_followers"])
    if filters.get("max_followers") is not None:
        accounts = accounts.filter(followers__lte=filters["max_followers"])
    if filters.get("min_engagement") is not None:
        accounts = accounts.filter(engagement_rate__gte=filters["min_engagement"])
    if filters.get("verified"):
        accounts = accounts.filter(verified=True)
    if filters.get("metrics_verified"):
        accounts = accounts.filter(metrics_source=MetricsSource.VERIFIED)
    audience = [
        ("audience_countries", (filters.get("audience_country") or "").upper(), "audience_country_min_share"),
        (
            "audience_languages",
            (filters.get("audience_language") or "").lower(),
            "audience_language_min_share",
        ),
    ]
    for field, code, share_key in audience:
        if not code:
            continue
        minimum = filters.get(share_key)
        if minimum is None:
            minimum = DEFAULT_AUDIENCE_MIN_SHARE
        accounts = accounts.filter(AudienceShareAtLeast(field, code=code, minimum=minimum))
    return accounts.order_by("-followers", "pk")


def _creator_ratings() -> QuerySet:
    # Imported here: campaigns depends on creators, not the other way round at import time.
    from campaigns.models import Collaboration, Rating

    return (
        Rating.objects.filter(
            collaboration__creator=OuterRef("pk"),
            collaboration__status=Collaboration.Status.COMPLETED,
            rated_side=Rating.Side.CREATOR,
        )
        .order_by()
        .values("collaboration__creator")
    )


def _text_search(queryset: QuerySet[CreatorProfile], text: str) -> QuerySet[CreatorProfile]:
    handle_text = text.lstrip("@").lower()
    if _is_postgres():
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, TrigramSimilarity

        vector = SearchVector("display_name", weight="A", config=SEARCH_CONFIG) + SearchVector(
            "bio", weight="C", config=SEARCH_CONFIG
        )
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        handle_similarity = (
            SocialAccount.objects.filter(profile=OuterRef("pk"))
            .annotate(similarity=TrigramSimilarity("handle", handle_text))
            .order_by("-similarity")
            .values("similarity")[:1]
        )
        handle_match = SocialAccount.objects.filter(profile=OuterRef("pk"), handle__icontains=handle_text)
        # ts_rank is never 0 (a non-match scores 1e-20), so matching is the @@ operator, rank only orders.
        return (
            queryset.alias(
                search_vector=vector,
                handle_similarity=Coalesce(
                    Subquery(handle_similarity, output_field=FloatField()), Value(0.0)
                ),
            )
            .filter(
                Q(search_vector=query) | Q(handle_similarity__gte=HANDLE_SIMILARITY) | Exists(handle_match)
            )
            .annotate(relevance=SearchRank(F("search_vector"), query) + F("handle_similarity"))
        )
    handle_match = SocialAccount.objects.filter(profile=OuterRef("pk"), handle__icontains=handle_text)
    return queryset.filter(
        Q(display_name__icontains=text) | Q(bio__icontains=text) | Exists(handle_match)
    ).annotate(relevance=Value(0.0, output_field=FloatField()))


def creator_search(*, filters: dict[str, Any], viewer) -> QuerySet[CreatorProfile]:
    """Creators matching `filters`, one row each, sorted. Only members of an organization search.

    Filter keys (all optional): q, niche, cause (Niche/Cause or pk), platform, tier, min_followers,
    max_followers, min_engagement, audience_country, audience_country_min_share (percent, default
    DEFAULT_AUDIENCE_MIN_SHARE), audience_language, audience_language_min_share, country, city, fee_min,
    fee_max, fee_currency, min_rating, verified (checked by Kolabo staff), metrics_verified (numbers
    from a connected platform), pro_bono, sort.
    """
    if viewer is None or not viewer.is_authenticated or not Membership.objects.filter(user=viewer).exists():
        return CreatorProfile.objects.none()

    accounts = _matching_accounts(filters)
    ratings = _creator_ratings()
    queryset = (
        CreatorProfile.objects.publicly_listed()
        .annotate(
            best_account_id=Subquery(accounts.values("pk")[:1], output_field=IntegerField()),
            best_followers=Subquery(accounts.values("followers")[:1], output_field=IntegerField()),
            best_engagement=Subquery(
                accounts.values("engagement_rate")[:1],
                output_field=DecimalField(max_digits=5, decimal_places=2),
            ),
            rating_avg=Subquery(ratings.annotate(avg=Avg("score")).values("avg"), output_field=FloatField()),
            rating_count=Coalesce(
                Subquery(ratings.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), Value(0)
            ),
        )
        .filter(best_account_id__isnull=False)
    )

    if filters.get("niche"):
        queryset = queryset.filter(niches=filters["niche"])
    if filters.get("cause"):
        queryset = queryset.filter(causes=filters["cause"])
    if filters.get("country"):
        queryset = queryset.filter(country=filters["country"])
    if filters.get("city"):
        queryset = queryset.filter(city__icontains=filters["city"].strip())
    if filters.get("pro_bono"):
        queryset = queryset.filter(open_to_pro_bono=True)
    if filters.get("min_rating") is not None:
        queryset = queryset.filter(rating_avg__gte=float(filters["min_rating"]))

    fee_min, fee_max = filters.get("fee_min"), filters.get("fee_max")
    if fee_min is not None or fee_max is not None:
        rates = RateCardItem.objects.filter(profile=OuterRef("pk"), currency=filters.get("fee_currency"))
        if fee_min is not None:
            rates = rates.filter(price__gte=Decimal(fee_min))
        if fee_max is not None:
            rates = rates.filter(price__lte=Decimal(fee_max))
        queryset = queryset.filter(Exists(rates))

    text = (filters.get("q") or "").strip()
    if text:
        queryset = _text_search(queryset, text)

    return queryset.order_by(*_ordering(filters.get("sort") or "", has_text=bool(text)))


def _ordering(sort: str, *, has_text: bool) -> list:
    followers = F("best_followers").desc(nulls_last=True)
    if sort == Sort.RELEVANCE and has_text and _is_postgres():
        return [F("relevance").desc(nulls_last=True), followers, "pk"]
    if sort == Sort.ENGAGEMENT:
        return [F("best_engagement").desc(nulls_last=True), followers, "pk"]
    if sort == Sort.RATING:
        return [F("rating_avg").desc(nulls_last=True), F("rating_count").desc(), followers, "pk"]
    if sort == Sort.NEWEST:
        return ["-created_at", "-pk"]
    return [followers, "pk"]


def attach_best_accounts(creators: list[CreatorProfile]) -> list[CreatorProfile]:
    """Set `creator.best_account` on each search result, with one query for the whole page."""
    accounts = SocialAccount.objects.in_bulk([c.best_account_id for c in creators if c.best_account_id])
    for creator in creators:
        creator.best_account = accounts.get(creator.best_account_id)
    return creators
