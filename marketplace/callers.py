"""Who is asking: the caller every visibility selector takes.

A caller is a `User` (a web page, or an API session or personal token acting as that person), or an
`ApiCaller`: an API request resolved to its person and, for an organization API key, to the one
organization it acts for and its creator's *current* role there. `api.access.caller` builds it from
the membership `api.authentication` read on this very request, so a key whose creator was removed
never gets this far (401), and a key never outlives its creator's role.
"""

from dataclasses import dataclass

from marketplace.models import User


@dataclass(frozen=True)
class ApiCaller:
    user: User
    # An organization API key: this organization only, and never the creator side.
    organization_id: int | None = None
    role: str | None = None
    # A browser session verified with a second factor: the only API caller that gets staff
    # visibility (personal tokens carry no MFA proof, whoever made them).
    staff_verified: bool = False


Caller = User | ApiCaller


def person_of(caller: Caller | None) -> User | None:
    """The signed-in person behind the caller, or None for an anonymous visitor."""
    user = caller.user if isinstance(caller, ApiCaller) else caller
    if user is None or not user.is_authenticated:
        return None
    return user


def key_organization_id(caller: Caller | None) -> int | None:
    """The organization an API key is limited to; None for people."""
    return caller.organization_id if isinstance(caller, ApiCaller) else None


def acts_as_creator(caller: Caller | None) -> bool:
    """Organization API keys act for the organization only, never as the creator who made them."""
    return person_of(caller) is not None and key_organization_id(caller) is None


def may_use_staff_role(caller: Caller | None) -> bool:
    """Staff visibility: on the web, the page itself asks for MFA before showing anything (as every
    staff page does); through the API, only a staff session verified with MFA."""
    if isinstance(caller, ApiCaller):
        return caller.organization_id is None and caller.staff_verified
    return person_of(caller) is not None
