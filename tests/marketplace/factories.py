import factory
from allauth.account.models import EmailAddress

from marketplace.models import User
from marketplace.permissions import ROLE_GROUPS, grant_staff_roles

PASSWORD = "kolabo-test-pass-2026"


class UserFactory(factory.django.DjangoModelFactory):
    """A user who can log in: password set and email verified (allauth requires it)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        obj.save()
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)

    @factory.post_generation
    def staff_roles(obj, create, extracted, **kwargs):
        """Staff hold every staff role unless the test names some: `staff_roles=[]` for none,
        `staff_roles=[PAYOUT_REVIEWERS]` for one (group names in marketplace/permissions.py)."""
        if not create or not obj.is_staff:
            return
        names = tuple(ROLE_GROUPS) if extracted is None else tuple(extracted)
        if names:
            grant_staff_roles(obj, *names)
