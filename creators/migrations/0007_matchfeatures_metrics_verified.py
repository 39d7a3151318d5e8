from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("creators", "0006_verified_metrics"),
    ]

    operations = [
        # Existing rows read False (not verified) until the next match_features_refresh.
        migrations.AddField(
            model_name="matchfeatures",
            name="metrics_verified",
            field=models.BooleanField(default=False, verbose_name="metrics verified"),
        ),
    ]
