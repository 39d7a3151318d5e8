"""Shared pieces of the API's serializers. Inputs list exactly the fields a caller may set: status,
organization, owner, staff flags, amounts that are computed and Stripe ids are never among them, so a
body carrying them is refused (unknown fields answer 400)."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers


class StrictInput(serializers.Serializer):
    """Refuse fields the caller may not set, instead of silently dropping them."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: ["This field cannot be set here."] for name in unknown}
                )
        return super().to_internal_value(data)


class StatusField(serializers.ChoiceField):
    """A read-only status documented as its own named enum component (see StatusFieldExtension)."""

    def __init__(self, component: str, choices, **kwargs):
        self.component = component
        super().__init__(choices=choices, read_only=True, **kwargs)


class StatusFieldExtension(OpenApiSerializerFieldExtension):
    """Several serializers share the field name "status" with the same choices; left to the enum
    hook, their enum would get a generated hash name (and a schema warning). Name it here."""

    target_class = "api.serializers.base.StatusField"

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        component = ResolvedComponent(
            name=field.component,
            type=ResolvedComponent.SCHEMA,
            object=field.component,
            schema={"type": "string", "enum": list(field.choices)},
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


class CampaignRef(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    organization = serializers.CharField(source="organization.slug", read_only=True)

    class Meta:
        ref_name = "CampaignRef"


class CreatorRef(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    display_name = serializers.CharField(read_only=True)

    class Meta:
        ref_name = "CreatorRef"
