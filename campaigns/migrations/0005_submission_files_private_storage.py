"""Draft files move to the private storage (PRIVATE_MEDIA_ROOT), which has no URL.

The stored names stay the same ("submissions/2026/12/look.png"); only the folder they live in
changes, so the data step moves each existing file from MEDIA_ROOT to PRIVATE_MEDIA_ROOT. It skips
files already moved or missing, so running it again (or after a partial copy) is safe.
"""

import shutil
from pathlib import Path

from django.conf import settings
from django.db import migrations, models

import marketplace.private_files


def _move_files(apps, source_root, target_root):
    Submission = apps.get_model("campaigns", "Submission")
    source_root, target_root = Path(source_root), Path(target_root)
    names = Submission.objects.exclude(file="").values_list("file", flat=True).iterator()
    for name in names:
        source, target = source_root / name, target_root / name
        if not source.is_file() or target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(source, target)


def move_to_private(apps, schema_editor):
    _move_files(apps, settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT)


def move_back_to_media(apps, schema_editor):
    _move_files(apps, settings.PRIVATE_MEDIA_ROOT, settings.MEDIA_ROOT)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0004_org_newest_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="submission",
            name="file",
            field=models.FileField(
                blank=True,
                storage=marketplace.private_files.private_storage,
                upload_to="submissions/%Y/%m/",
                verbose_name="file",
            ),
        ),
        migrations.RunPython(move_to_private, move_back_to_media, elidable=True),
    ]
