"""Verify the ledger's invariants and reconcile payouts with Stripe; exit 1 on any discrepancy."""

from django.core.management.base import BaseCommand

from payments.checks import ledger_findings


class Command(BaseCommand):
    help = "Check that the ledger balances and matches Stripe. Prints each discrepancy; exits 1 if any."

    def add_arguments(self, parser):
        parser.add_argument("--no-stripe", action="store_true", help="Skip the reconciliation with Stripe.")

    def handle(self, *args, **options):
        findings = ledger_findings(stripe=not options["no_stripe"])
        for finding in findings:
            self.stdout.write(finding)
        if findings:
            self.stderr.write(f"ledger_check: {len(findings)} discrepancies")
            raise SystemExit(1)
        self.stdout.write("ledger_check: ok")
