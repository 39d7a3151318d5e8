"""Print how evenly recommendations spread across creators: Gini before and after fair exposure."""

from django.core.management.base import BaseCommand

from campaigns.recommendations import exposure_report, per_brief


class Command(BaseCommand):
    help = (
        "Recommendation counts per creator over the published briefs: the plain ranking against "
        "fair exposure (spreading and the nano reserve). Writes nothing."
    )

    def handle(self, *args, **options):
        report = exposure_report()
        self.stdout.write(
            f"briefs={report.briefs} per_brief={per_brief()} pool={report.pool} "
            f"gini_before={report.gini_before:.4f} gini_after={report.gini_after:.4f} "
            f"creators_before={report.distinct_before} creators_after={report.distinct_after} "
            f"nano_share_before={report.nano_share_before:.1%} nano_share_after={report.nano_share_after:.1%}"
        )
