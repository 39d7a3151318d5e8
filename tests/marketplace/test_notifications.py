import pytest
from django.core import mail
from django.urls import reverse

from marketplace.models import Notification
from marketplace.notifications import KINDS, render_subject, render_text
from marketplace.services import notification_email_send, notify
from tests.marketplace.factories import UserFactory

pytestmark = pytest.mark.django_db

PARAMS = {"creator": "Ayu Lestari", "campaign": "Kopi at sahur"}


def send(user, key="application.created:1", **kwargs):
    return notify(
        recipient=user, kind="application.created", dedupe_key=key, params=PARAMS, url="/dashboard/", **kwargs
    )


def test_notification_is_recorded_and_emailed_once(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = send(user)
        again = send(user)  # a retried task or a double click

    assert first.pk == again.pk
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert message.subject == "[Kolabo] New application for Kopi at sahur"
    assert "Ayu Lestari applied to “Kopi at sahur”." in message.body
    assert "http://127.0.0.1:8000/dashboard/" in message.body
    first.refresh_from_db()
    assert first.emailed_at is not None


def test_retrying_the_email_task_does_not_send_twice(user):
    notification = send(user, email=False)

    assert notification_email_send(notification_id=notification.pk) is True
    assert notification_email_send(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1


def test_unknown_kind_is_a_programming_error(user):
    with pytest.raises(ValueError, match="Unknown notification kind"):
        notify(recipient=user, kind="nope", dedupe_key="x")


def test_nav_shows_unread_count_and_list_marks_read(client, user):
    send(user, key="a", email=False)
    send(user, key="b", email=False)
    client.force_login(user)

    page = client.get(reverse("notifications"))
    assert page.status_code == 200
    assert 'data-testid="unread-count">2<' in page.content.decode()
    assert "Ayu Lestari applied to “Kopi at sahur”." in page.content.decode()

    opened = client.post(reverse("notification_open", args=[Notification.objects.get(dedupe_key="a").pk]))
    assert opened["Location"] == "/dashboard/"
    assert Notification.objects.filter(read_at__isnull=True).count() == 1

    client.post(reverse("notifications_read_all"))
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_someone_elses_notification_answers_404(client, user, outsider):
    notification = send(user, email=False)
    client.force_login(outsider)

    assert client.post(reverse("notification_open", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_language_switch_is_remembered_for_emails(client):
    person = UserFactory()
    client.force_login(person)

    client.post(reverse("set_language"), {"language": "id", "next": "/"})

    person.refresh_from_db()
    assert person.preferred_language == "id"
    assert client.get("/").headers["Content-Language"] == "id"


class _Params(dict):
    """Every parameter a wording may use, so a missing one shows up as <name>."""

    def __missing__(self, key):
        return f"<{key}>"


@pytest.mark.parametrize(
    ("kind", "audience"),
    [(kind, audience) for kind, registered in sorted(KINDS.items()) for audience in registered.audiences],
)
def test_every_wording_names_the_other_side_never_the_reader(kind, audience):
    params = _Params(
        creator="CREATOR-NAME", organization="ORG-NAME", author="Maya Manager", audience=audience
    )
    notification = Notification(kind=kind, params=params)

    text, subject = render_text(notification), render_subject(notification)

    own = {"creator": "CREATOR-NAME", "organization": "ORG-NAME"}.get(audience)
    if own:
        assert own not in text + subject
    assert "%(" not in text + subject  # every placeholder was filled


def test_a_placeholder_address_gets_the_notification_in_the_app_but_no_email(
    django_capture_on_commit_callbacks,
):
    placeholder = UserFactory(email="roster-instagram-abc123@unclaimed.kolabo.invalid")
    with django_capture_on_commit_callbacks(execute=True):
        notification = send(placeholder)
    assert Notification.objects.filter(pk=notification.pk, recipient=placeholder).exists()
    assert mail.outbox == []
    assert notification_email_send(notification_id=notification.pk) is False
