from django.db import migrations, models


def load_taxonomy(apps, schema_editor):
    from creators.taxonomy import CAUSES, NICHES

    for model_name, terms in (("Niche", NICHES), ("Cause", CAUSES)):
        model = apps.get_model("creators", model_name)
        for position, (slug, name_en, name_id) in enumerate(terms):
            model.objects.update_or_create(
                slug=slug, defaults={"name_en": name_en, "name_id": name_id, "position": position}
            )


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Cause",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("slug", models.SlugField(unique=True, verbose_name="slug")),
                ("name_en", models.CharField(max_length=80, verbose_name="name (English)")),
                ("name_id", models.CharField(max_length=80, verbose_name="name (Indonesian)")),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
            ],
            options={
                "verbose_name": "cause",
                "verbose_name_plural": "causes",
                "ordering": ["position", "slug"],
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="Niche",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("slug", models.SlugField(unique=True, verbose_name="slug")),
                ("name_en", models.CharField(max_length=80, verbose_name="name (English)")),
                ("name_id", models.CharField(max_length=80, verbose_name="name (Indonesian)")),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
            ],
            options={
                "verbose_name": "niche",
                "verbose_name_plural": "niches",
                "ordering": ["position", "slug"],
                "abstract": False,
            },
        ),
        migrations.RunPython(load_taxonomy, migrations.RunPython.noop),
    ]
