"""`make run` calls this once the local Stripe emulator is up: Stripe then holds what the demo's
ledger says it holds, and the demo creators with paid work can receive payouts. Idempotent; test
mode only (payments.services.sandbox)."""

import logging

from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Collaboration
from creators.models import CreatorProfile
from marketplace.money import format_money
from payments import gateway
from payments.services.sandbox import sandbox_sync

DEMO_DOMAIN = "kolabo.demo"  # seed_demo's email domain


class Command(BaseCommand):
    help = "Test mode only: top up Stripe's available balance to the ledger and ready the demo creators' accounts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--domain",
            default=DEMO_DOMAIN,
            help="Creators whose email ends in @DOMAIN (default: the demo's).",
        )

    def handle(self, *args, **options):
        paid_work = Collaboration.objects.filter(fee__gt=0).exclude(status=Collaboration.Status.CANCELLED)
        creators = (
            CreatorProfile.objects.filter(
                user__email__endswith=f"@{options['domain']}", pk__in=paid_work.values("creator_id")
            )
            .select_related("user")
            .order_by("pk")
        )
        logging.getLogger("stripe").setLevel(logging.WARNING)  # one summary, not a line per request
        try:
            report = sandbox_sync(creators=creators)
        except gateway.GatewayError as error:
            raise CommandError(f"Stripe: {error.message}") from error
        for currency, held in report.held.items():
            added = report.topped_up.get(currency)
            self.stdout.write(
                f"Stripe balance {currency}: {format_money(report.balances[currency], currency)} available "
                f"for {format_money(held, currency)} held in the ledger"
                + (f" (topped up {format_money(added, currency)})" if added else "")
            )
        self.stdout.write(
            f"Creator accounts: {report.accounts_ready} ready to receive payouts "
            f"({report.accounts_created} created, {report.accounts_replaced} replaced)"
            + (
                f"; still onboarding: {', '.join(report.accounts_not_ready)}"
                if report.accounts_not_ready
                else ""
            )
        )
