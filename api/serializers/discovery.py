"""Serializers for creator discovery (GET /api/v1/creators/)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.core import CreatorOut


class MatchOut(serializers.Serializer):
    score = serializers.IntegerField(
        help_text="The match score with the brief, 0–100 (as in recommendations)."
    )
    reasons = serializers.ListField(
        child=serializers.CharField(), help_text="The reasons that weigh most, in the caller's language."
    )

    class Meta:
        ref_name = "DiscoveryMatch"


class DiscoveredCreatorOut(CreatorOut):
    match = serializers.SerializerMethodField(
        help_text="With `?brief=<id>`: the creator's match with that brief; otherwise null."
    )

    class Meta(CreatorOut.Meta):
        fields = [*CreatorOut.Meta.fields, "match"]
        ref_name = "DiscoveredCreator"

    @extend_schema_field(MatchOut(allow_null=True))
    def get_match(self, creator):
        match = self.context.get("matches", {}).get(creator.pk)
        return None if match is None else {"score": match.score, "reasons": match.reasons}
