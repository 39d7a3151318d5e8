"""The catalogue of notification kinds. Apps register theirs when they load (AppConfig.ready).

Each kind has a translatable sentence with %(name)s parameters, and an email subject.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class NotificationKind:
    text: Promise
    subject: Promise


KINDS: dict[str, NotificationKind] = {}


def register(kind: str, *, text: Promise, subject: Promise) -> None:
    KINDS[kind] = NotificationKind(text=text, subject=subject)


def _format(template: Promise, params: dict) -> str:
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        # A kind whose wording changed since the row was written still shows something useful.
        return str(template)


def render_text(notification) -> str:
    kind = KINDS.get(notification.kind)
    if kind is None:
        return _("You have a new notification.")
    return _format(kind.text, notification.params)


def render_subject(notification) -> str:
    kind = KINDS.get(notification.kind)
    if kind is None:
        return _("New notification")
    return _format(kind.subject, notification.params)
