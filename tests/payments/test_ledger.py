"""The ledger: balanced, idempotent, append-only (the database refuses edits), exact amounts."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, InternalError, connection, transaction

from payments import gateway
from payments.ledger import Leg, Unbalanced, post
from payments.models import Account, LedgerEntry, LedgerTransaction

Kind = LedgerTransaction.Kind
REFUSED = (DatabaseError, IntegrityError, InternalError)


def funding(reference="funding:test", amount=Decimal("1100000.00")):
    return post(
        kind=Kind.FUNDING,
        reference=reference,
        currency="IDR",
        legs=[
            Leg(Account.STRIPE_CLEARING, amount),
            Leg(Account.CAMPAIGN_ESCROW, -Decimal("1000000.00")),
            Leg(Account.PLATFORM_REVENUE, -(amount - Decimal("1000000.00"))),
        ],
    )


# Minor units


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        (Decimal("1500000.00"), "IDR", 150_000_000),
        (Decimal("1500000"), "IDR", 150_000_000),
        (Decimal("0.01"), "USD", 1),
        (Decimal("1234.56"), "USD", 123_456),
        (Decimal("99999999999999.99"), "USD", 9_999_999_999_999_999),
        (Decimal("500"), "JPY", 500),
        (Decimal("1.234"), "KWD", 1_234),
    ],
)
def test_amounts_convert_to_minor_units_exactly_and_back(amount, currency, minor):
    assert gateway.to_minor(amount, currency) == minor
    assert gateway.from_minor(minor, currency) == amount


def test_a_float_or_an_amount_finer_than_the_currency_is_refused():
    with pytest.raises(TypeError):
        gateway.to_minor(19.99, "USD")
    with pytest.raises(ValueError, match="more decimals"):
        gateway.to_minor(Decimal("10.005"), "USD")
    with pytest.raises(ValueError, match="more decimals"):
        gateway.to_minor(Decimal("500.5"), "JPY")
    with pytest.raises(ValueError, match="no minor-unit exponent"):
        gateway.to_minor(Decimal("1"), "XYZ")


def test_every_configured_currency_has_an_exponent():
    from django.conf import settings

    for code, _label in settings.CURRENCIES:
        assert gateway.exponent(code) == 2


# Posting


def test_a_transaction_balances_and_is_posted_once(db):
    first = funding()
    again = funding()

    assert first is not None
    assert again is None
    assert LedgerTransaction.objects.count() == 1
    assert sum(e.amount for e in LedgerEntry.objects.all()) == 0
    assert LedgerEntry.objects.count() == 3


def test_an_unbalanced_transaction_is_refused_before_writing(db):
    with pytest.raises(Unbalanced, match=r"sum to 1\.00 IDR"):
        post(
            kind=Kind.FUNDING,
            reference="funding:bad",
            currency="IDR",
            legs=[
                Leg(Account.STRIPE_CLEARING, Decimal("101")),
                Leg(Account.CAMPAIGN_ESCROW, Decimal("-100")),
            ],
        )
    assert not LedgerTransaction.objects.exists()


def test_the_database_refuses_to_update_ledger_rows(db):
    funding()
    entry = LedgerEntry.objects.first()

    with pytest.raises(REFUSED), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1"))
    with pytest.raises(REFUSED), transaction.atomic():
        LedgerTransaction.objects.update(memo="edited")

    entry.refresh_from_db()
    assert entry.amount != Decimal("1")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's test flush deletes rows")
def test_the_database_refuses_to_delete_ledger_rows(db):
    funding()

    with pytest.raises(REFUSED), transaction.atomic():
        LedgerEntry.objects.all().delete()
    assert LedgerEntry.objects.count() == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a deferred constraint trigger (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_to_commit_an_unbalanced_transaction():
    with pytest.raises(REFUSED), transaction.atomic():
        posted = LedgerTransaction.objects.create(kind=Kind.FUNDING, reference="sneaky")
        LedgerEntry.objects.create(
            transaction=posted, account=Account.STRIPE_CLEARING, amount=5, currency="IDR"
        )

    assert not LedgerTransaction.objects.filter(reference="sneaky").exists()
