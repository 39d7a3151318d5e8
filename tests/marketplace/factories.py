import factory
from allauth.account.models import EmailAddress

from marketplace.models import User

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
