"""Unknown is not zero: metrics that can be missing become nullable, and roster zeros become NULL.

Until now an empty roster cell (likes, comments, views, following, posts) was stored as 0, and the
engagement rate was computed from those zeros (0.00%). A 0 cannot be told apart from a measured
zero afterwards, so the data step uses where the row came from:

- the account's creator was created by a roster import (an AuditEvent "roster.creator_created"
  targets the user; those are the only rows an import writes counts for), and
- the account's numbers are self-reported (a verified refresh writes real numbers).

On those accounts every 0 in following, posts, avg_likes, avg_comments and avg_views is read as
an empty cell and becomes NULL. A real 0 on those columns is implausible for an account an agency
lists (a creator with followers and not one like or comment per post), and unknown is the honest
reading. The engagement rate becomes NULL where likes or comments are now unknown. Accounts the
creators typed themselves, and verified accounts, are left as they are.

Reverse: the schema goes back to NOT NULL with 0 for every NULL (what the old code stored for an
empty cell), engagement rate included.
"""

from django.db import migrations, models

OPTIONAL_COUNTS = ("following", "posts", "avg_likes", "avg_comments", "avg_views")
ROSTER_CREATED = "roster.creator_created"


def roster_zeros_to_unknown(apps, schema_editor):
    SocialAccount = apps.get_model("creators", "SocialAccount")
    AuditEvent = apps.get_model("marketplace", "AuditEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    user_type = ContentType.objects.filter(app_label="marketplace", model="user").first()
    if user_type is None:
        return
    # Audit target ids are text; the roster users are few enough to pass as a list per batch.
    user_ids = [
        int(target)
        for target in AuditEvent.objects.filter(action=ROSTER_CREATED, target_type=user_type)
        .values_list("target_id", flat=True)
        .distinct()
        if str(target).isdigit()
    ]
    for start in range(0, len(user_ids), 5000):
        accounts = SocialAccount.objects.filter(
            profile__user_id__in=user_ids[start : start + 5000], metrics_source="self_reported"
        )
        for field in OPTIONAL_COUNTS:
            accounts.filter(**{field: 0}).update(**{field: None})
        accounts.filter(models.Q(avg_likes__isnull=True) | models.Q(avg_comments__isnull=True)).update(
            engagement_rate=None
        )


def unknown_to_zero(apps, schema_editor):
    SocialAccount = apps.get_model("creators", "SocialAccount")
    MatchFeatures = apps.get_model("creators", "MatchFeatures")
    for field in (*OPTIONAL_COUNTS, "engagement_rate"):
        SocialAccount.objects.filter(**{f"{field}__isnull": True}).update(**{field: 0})
    MatchFeatures.objects.filter(engagement_rate__isnull=True).update(engagement_rate=0)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("marketplace", "0001_initial"),
        ("creators", "0007_matchfeatures_metrics_verified"),
    ]

    operations = [
        migrations.AlterField(
            model_name="matchfeatures",
            name="engagement_rate",
            field=models.DecimalField(
                blank=True, decimal_places=2, max_digits=5, null=True, verbose_name="engagement rate (%)"
            ),
        ),
        migrations.AlterField(
            model_name="socialaccount",
            name="avg_comments",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="average comments"),
        ),
        migrations.AlterField(
            model_name="socialaccount",
            name="avg_likes",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="average likes"),
        ),
        migrations.AlterField(
            model_name="socialaccount",
            name="avg_views",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="average views"),
        ),
        migrations.AlterField(
            model_name="socialaccount",
            name="engagement_rate",
            field=models.DecimalField(
                blank=True, decimal_places=2, max_digits=5, null=True, verbose_name="engagement rate (%)"
            ),
        ),
        migrations.AlterField(
            model_name="socialaccount",
            name="following",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="following"),
        ),
        migrations.AlterField(
            model_name="socialaccount",
            name="posts",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="posts"),
        ),
        # Reverse order on the way back: the data step turns NULLs into 0 before NOT NULL returns.
        migrations.RunPython(roster_zeros_to_unknown, unknown_to_zero, elidable=False),
    ]
