"""PostgreSQL search support for creator discovery (creators/discovery.py).

- the unaccent and pg_trgm extensions;
- a text search configuration "kolabo_unaccent": the language-neutral `simple` parser and
  dictionary with accents stripped first, so Indonesian and English both match ("Lestàri" finds
  "Lestari") without an English stemmer mangling Indonesian words;
- a GIN trigram index on SocialAccount.handle for fuzzy handle search ("ayu_cooks" ≈ "ayu.cooks").

SQLite has none of this; there the operations do nothing and discovery falls back to icontains.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    DO $$
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'kolabo_unaccent') THEN
            CREATE TEXT SEARCH CONFIGURATION kolabo_unaccent (COPY = simple);
            ALTER TEXT SEARCH CONFIGURATION kolabo_unaccent
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
        END IF;
    END
    $$
    """,
    "CREATE INDEX IF NOT EXISTS creators_social_handle_trgm ON creators_socialaccount "
    "USING gin (handle gin_trgm_ops)",
]

# The extensions stay: other objects may depend on them, and keeping them is harmless.
BACKWARD = [
    "DROP INDEX IF EXISTS creators_social_handle_trgm",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS kolabo_unaccent",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("creators", "0002_creatorprofile_ratecarditem_socialaccount_and_more"),
    ]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False),
    ]
