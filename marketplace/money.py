"""Money helpers: amounts are Decimal plus an ISO currency code, never floats."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


def format_money(amount: Decimal | int | str | None, currency: str) -> str:
    """Prices the way each currency's own market writes them, whatever the page language.

    IDR has no minor unit in practice: "Rp 1.500.000". USD: "US$1,500.00". Others: "EUR 1,500.00".
    """
    if amount in (None, ""):
        return ""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    sign = "-" if value < 0 else ""
    value = abs(value)
    if currency == "IDR":
        whole = value.quantize(Decimal("1"), rounding=ROUND_HALF_UP)
        return f"{sign}Rp {whole:,.0f}".replace(",", ".")
    cents = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if currency == "USD":
        return f"{sign}US${cents:,.2f}"
    return f"{sign}{currency} {cents:,.2f}"
