"""The database itself keeps the ledger honest, whatever code runs against it:

- ledger rows are append-only: UPDATE and DELETE on transactions and entries raise an error;
- on PostgreSQL, a deferred constraint trigger checks at commit that every transaction's entries
  sum to zero per currency, so an unbalanced posting can never be committed.

SQLite (the embedded development default) refuses UPDATE only: its test-database flush empties
tables with DELETE. Balance there is checked by the posting service and by ledger_check.
"""

from django.db import migrations

TABLES = ("payments_ledgertransaction", "payments_ledgerentry")

POSTGRES_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION payments_ledger_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'the ledger is append-only: % on % is refused', TG_OP, TG_TABLE_NAME;
    END
    $$ LANGUAGE plpgsql
    """,
    *(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION payments_ledger_append_only()"
        for table in TABLES
    ),
    """
    CREATE OR REPLACE FUNCTION payments_ledger_balanced() RETURNS trigger AS $$
    DECLARE
        unbalanced record;
    BEGIN
        SELECT currency, SUM(amount) AS total INTO unbalanced
        FROM payments_ledgerentry
        WHERE transaction_id = NEW.transaction_id
        GROUP BY currency
        HAVING SUM(amount) <> 0
        LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'ledger transaction % does not balance in %: %',
                NEW.transaction_id, unbalanced.currency, unbalanced.total;
        END IF;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    "CREATE CONSTRAINT TRIGGER payments_ledgerentry_balanced AFTER INSERT ON payments_ledgerentry "
    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION payments_ledger_balanced()",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS payments_ledgerentry_balanced ON payments_ledgerentry",
    *(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in TABLES),
    "DROP FUNCTION IF EXISTS payments_ledger_balanced()",
    "DROP FUNCTION IF EXISTS payments_ledger_append_only()",
]
SQLITE_FORWARD = [
    f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
    f"BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: {op} on {table} is refused'); END"
    for table in TABLES
    for op in ("UPDATE",)
]
SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS {table}_no_update" for table in TABLES]


def _run(postgres, sqlite):
    def run(apps, schema_editor):
        statements = postgres if schema_editor.connection.vendor == "postgresql" else sqlite
        if schema_editor.connection.vendor not in ("postgresql", "sqlite"):
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_ledger_funding_payouts")]

    operations = [
        migrations.RunPython(
            _run(POSTGRES_FORWARD, SQLITE_FORWARD), _run(POSTGRES_BACKWARD, SQLITE_BACKWARD)
        ),
    ]
