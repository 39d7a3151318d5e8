from datetime import timedelta

import factory
from django.utils import timezone

from brands.models import Membership, Organization, OrgInvitation, VerificationRequest
from tests.marketplace.factories import UserFactory


class OrganizationFactory(factory.django.DjangoModelFactory):
    """`OrganizationFactory(kind="ngo")` for an NGO; brand by default."""

    class Meta:
        model = Organization
        skip_postgeneration_save = True

    kind = Organization.Kind.BRAND
    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"organization-{n}")
    country = "ID"
    website = "https://example.co.id"
    description = "We make things people like."
    default_currency = "IDR"
    created_by = factory.SubFactory(UserFactory)

    class Params:
        # `OrganizationFactory(verified=True)`: staff verified it, so it publishes and invites without
        # the limits of brands/verification_limits.py.
        verified = factory.Trait(
            verification_status=Organization.VerificationStatus.VERIFIED,
            verified_at=factory.LazyFunction(timezone.now),
        )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MANAGER


class OrgInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgInvitation

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = Membership.Role.MANAGER
    invited_by = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class VerificationRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VerificationRequest

    organization = factory.SubFactory(
        OrganizationFactory, verification_status=Organization.VerificationStatus.PENDING
    )
    submitted_by = factory.SubFactory(UserFactory)
    evidence = "NIB 1234567890123, https://example.co.id, instagram.com/example"
