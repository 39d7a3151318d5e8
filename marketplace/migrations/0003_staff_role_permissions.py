"""Staff roles as permissions: one group per role, each carrying its custom permission."""

from django.db import migrations

# Frozen copy of marketplace.permissions.ROLE_GROUPS: migrations never import app code.
ROLE_GROUPS = {
    "Payout reviewers": ("review_payouts", "Can review payouts (payout reviewer)"),
    "Verification reviewers": (
        "review_verifications",
        "Can review organization verifications (verification reviewer)",
    ),
    "Dispute handlers": ("handle_disputes", "Can settle collaboration disputes (dispute handler)"),
}


def create_role_groups(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    # post_migrate creates the permissions only after every migration ran; create them now.
    user_type, _ = ContentType.objects.get_or_create(app_label="marketplace", model="user")
    for group_name, (codename, name) in ROLE_GROUPS.items():
        permission, _ = Permission.objects.get_or_create(
            content_type=user_type, codename=codename, defaults={"name": name}
        )
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(permission)


def remove_role_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=ROLE_GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0002_notifications_preferred_language"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="user",
            options={
                "ordering": ["email"],
                "permissions": [
                    ("review_payouts", "Can review payouts (payout reviewer)"),
                    (
                        "review_verifications",
                        "Can review organization verifications (verification reviewer)",
                    ),
                    ("handle_disputes", "Can settle collaboration disputes (dispute handler)"),
                ],
                "verbose_name": "user",
                "verbose_name_plural": "users",
            },
        ),
        migrations.RunPython(create_role_groups, remove_role_groups),
    ]
