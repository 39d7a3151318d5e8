"""Every write to organizations, memberships, invitations and verification goes through here.

One module per job: organizations, invitations, members, verification (and common helpers).
Callers use `from brands import services`, so the public services are re-exported here.
"""

from brands.services.invitations import invitation_accept, invitation_create, invitation_revoke
from brands.services.members import membership_change_role, membership_remove
from brands.services.organizations import organization_create, organization_update
from brands.services.verification import (
    verification_document_open,
    verification_request_approve,
    verification_request_reject,
    verification_request_submit,
)

__all__ = [
    "invitation_accept",
    "invitation_create",
    "invitation_revoke",
    "membership_change_role",
    "membership_remove",
    "organization_create",
    "organization_update",
    "verification_document_open",
    "verification_request_approve",
    "verification_request_reject",
    "verification_request_submit",
]
