"""The languages of the ePages demo shop: how it writes prices and names things in each.

``locale`` (``GET /rs/shops/{shopId}/carts``) changes only this: the ``formatted`` prices (CLDR
number patterns) and the names of units, shipping and payment methods and discounts.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["GERMAN", "Language", "language"]


@dataclass(frozen=True, slots=True)
class Language:
    """How the shop writes prices and names things in one language (CLDR number patterns)."""

    code: str
    decimal: str
    group: str
    symbol_first: bool  # "€12.99" (en) rather than "12,99 €" (de, fr)
    unit: str
    shipping: tuple[str, str, str]  # standard, express, pickup
    payments: tuple[str, str, str, str]  # PayPal PLUS, Stripe, Klarna, bank transfer
    discount: str

    def price(self, cents: int, currency: str) -> str:
        """*cents* of *currency* as the shop writes them (``"12,99 €"``, ``"-€1,234.50"``)."""
        units, rest = divmod(abs(cents), 100)
        number = f"{units:,}".replace(",", self.group) + f"{self.decimal}{rest:02d}"
        symbol = {"EUR": "€"}.get(currency, currency)
        sign = "-" if cents < 0 else ""
        return f"{sign}{symbol}{number}" if self.symbol_first else f"{sign}{number} {symbol}"


GERMAN = Language(
    "de", ",", ".", False, "Stück",
    ("Standardversand", "Expressversand", "Abholung im Laden"),
    ("PayPal", "Kreditkarte", "Rechnung", "Vorkasse"),
    "Warenkorbrabatt",
)  # fmt: skip
_LANGUAGES = {
    "de": GERMAN,
    "en": Language(
        "en", ".", ",", True, "piece(s)",
        ("Standard delivery", "Express delivery", "Customer pickup"),
        ("PayPal", "Credit card", "Invoice", "Prepayment"),
        "Cart discount",
    ),
    "fr": Language(
        "fr", ",", " ", False, "pièce(s)",
        ("Livraison standard", "Livraison express", "Retrait en magasin"),
        ("PayPal", "Carte bancaire", "Facture", "Virement anticipé"),
        "Remise panier",
    ),
}  # fmt: skip
# Locales the demo shop is translated into; a bare language picks its main country.
_LOCALES = {
    "de_DE": "de", "de_AT": "de", "en_US": "en", "en_GB": "en", "fr_FR": "fr", "fr_BE": "fr",
}  # fmt: skip


def language(locale: str | None) -> Language:
    """The shop language for a ``locale`` value; others fall back to the shop default, de_DE.

    The docs: "If not provided, the shop's default language is used". A locale the shop is not
    translated into is answered in the default language too (cartkit decision).
    """
    if locale is None:
        return GERMAN
    code = _LOCALES.get(locale.replace("-", "_"), locale if len(locale) == 2 else "")
    return _LANGUAGES.get(code, GERMAN)
