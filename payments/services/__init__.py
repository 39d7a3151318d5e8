"""Money services. The campaigns app calls only the collaboration hooks re-exported here."""

from payments.services.escrow import (
    FundingRequired,
    collaboration_fee_release,
    collaboration_fee_reserve,
    collaboration_payable,
)
from payments.services.refunds import campaign_refund_unspent

__all__ = [
    "FundingRequired",
    "campaign_refund_unspent",
    "collaboration_fee_release",
    "collaboration_fee_reserve",
    "collaboration_payable",
]
