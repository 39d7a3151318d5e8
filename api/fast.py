"""Lists at speed: the same JSON as the ModelSerializer, from `.values()` rows.

DRF's serializers walk every field of every instance through getattr chains, and prefetching
many-to-many relations builds a manager per row; for a 50-row page of campaigns that is most of the
request. Here the page is read as dicts, the relations in one query each, and every value goes
through the very serializer field that would have rendered it, so the output is identical (a test
compares them).
"""

import functools
from collections import defaultdict

from django.db import connection
from django.db.models import OuterRef
from rest_framework import serializers

from campaigns.models import Campaign, DeliverableSpec

from .serializers.campaigns import CampaignOut, DeliverableSpecOut

_PLAIN = [
    name
    for name in CampaignOut.Meta.fields
    if name not in ("organization", "niches", "causes", "deliverables")
]


@functools.cache
def _fields(serializer_class):
    # Built once: rendering a value needs no binding to an instance or a request.
    return serializer_class().fields


def campaign_values(queryset):
    """The campaign columns CampaignOut needs, as dicts; on PostgreSQL with the niches, causes and
    deliverables too (array subqueries: one round trip for the whole page)."""
    values = queryset.values(*_PLAIN, "organization__slug")
    if connection.vendor != "postgresql":
        return values
    from django.contrib.postgres.expressions import ArraySubquery
    from django.db.models.functions import JSONObject

    def slugs(model, relation):
        through = getattr(Campaign, relation).through
        return ArraySubquery(
            through.objects.filter(campaign_id=OuterRef("pk"))
            .order_by(f"{model}__position", f"{model}__slug")
            .values(f"{model}__slug")
        )

    specs = DeliverableSpec.objects.filter(campaign_id=OuterRef("pk")).order_by("position", "id")
    return values.annotate(
        niche_slugs=slugs("niche", "niches"),
        cause_slugs=slugs("cause", "causes"),
        deliverable_rows=ArraySubquery(
            specs.values(json=JSONObject(**{name: name for name in _fields(DeliverableSpecOut)}))
        ),
    )


def campaign_rows(rows: list[dict]) -> list[dict]:
    """Rows of campaign_values (one page) → exactly what CampaignOut(many=True).data gives."""
    if rows and "niche_slugs" in rows[0]:
        spec_fields = _fields(DeliverableSpecOut)
        return [
            _render(
                row,
                row["niche_slugs"],
                row["cause_slugs"],
                [_render_spec(spec, spec_fields) for spec in row["deliverable_rows"]],
            )
            for row in rows
        ]
    ids = [row["id"] for row in rows]
    niches: dict[int, list[str]] = defaultdict(list)
    causes: dict[int, list[str]] = defaultdict(list)
    for campaign_id, slug in (
        Campaign.niches.through.objects.filter(campaign_id__in=ids)
        .order_by("niche__position", "niche__slug")
        .values_list("campaign_id", "niche__slug")
    ):
        niches[campaign_id].append(slug)
    for campaign_id, slug in (
        Campaign.causes.through.objects.filter(campaign_id__in=ids)
        .order_by("cause__position", "cause__slug")
        .values_list("campaign_id", "cause__slug")
    ):
        causes[campaign_id].append(slug)
    spec_fields = _fields(DeliverableSpecOut)
    deliverables: dict[int, list[dict]] = defaultdict(list)
    for spec in (
        DeliverableSpec.objects.filter(campaign_id__in=ids)
        .order_by("position", "id")
        .values("campaign_id", *spec_fields)
    ):
        deliverables[spec["campaign_id"]].append(_render_spec(spec, spec_fields))
    return [_render(row, niches[row["id"]], causes[row["id"]], deliverables[row["id"]]) for row in rows]


def _render_spec(spec: dict, spec_fields) -> dict:
    return {
        name: field.to_representation(spec[name]) if spec[name] is not None else None
        for name, field in spec_fields.items()
    }


_IDENTITY = (
    serializers.CharField,
    serializers.IntegerField,
    serializers.BooleanField,
    serializers.ChoiceField,
    serializers.JSONField,
    serializers.ListField,
)


@functools.cache
def _converters(serializer_class) -> tuple[tuple[str, object], ...]:
    """(name, converter) per plain field: None where the stored value is already the JSON value
    (text, numbers, booleans, lists), else the field's own to_representation (decimals, dates)."""
    converters = []
    for name, field in _fields(serializer_class).items():
        if name in ("organization", "niches", "causes", "deliverables"):
            continue
        identity = isinstance(field, _IDENTITY) and not isinstance(field, serializers.DecimalField)
        converters.append((name, None if identity else field.to_representation))
    return tuple(converters)


def _render(row: dict, niches: list, causes: list, deliverables: list) -> dict:
    item = {}
    for name, convert in _converters(CampaignOut):
        value = row[name]
        item[name] = value if convert is None or value is None else convert(value)
    item["organization"] = row["organization__slug"]
    item["niches"], item["causes"], item["deliverables"] = niches, causes, deliverables
    # The serializer's field order, so the JSON is byte-for-byte the same.
    return {name: item[name] for name in CampaignOut.Meta.fields}
