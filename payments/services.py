"""The money seam. Acceptance calls `collaboration_fee_reserve` and nothing else touches money.

Until the ledger exists (money issue) it only records the frozen fee in the audit trail.
"""

from campaigns.models import Collaboration
from marketplace.models import User
from marketplace.services import audit_record


def collaboration_fee_reserve(*, collaboration: Collaboration, by_user: User | None) -> None:
    """Reserve the agreed fee for a just-accepted collaboration. Runs inside the acceptance transaction."""
    if collaboration.fee <= 0:
        return
    audit_record(
        actor=by_user,
        action="payments.fee_reserved",
        target=collaboration,
        data={"amount": str(collaboration.fee), "currency": collaboration.currency},
    )
