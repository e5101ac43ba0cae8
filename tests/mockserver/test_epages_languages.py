"""The ePages demo shop's languages (``mockserver/vendors/epages_languages.py``)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cartkit.mockserver.vendors.epages_languages import GERMAN, Language, language

ENGLISH, FRENCH = language("en"), language("fr")
LANGUAGES = (GERMAN, ENGLISH, FRENCH)


@pytest.mark.parametrize(
    ("locale", "code"),
    [("de_DE", "de"), ("de_AT", "de"), ("de-AT", "de"), ("en_US", "en"), ("en-GB", "en"),
     ("fr_FR", "fr"), ("fr_BE", "fr"), ("en", "en"), ("fr", "fr"), ("de", "de")],
)  # fmt: skip
def test_a_translated_locale_picks_its_language(locale: str, code: str) -> None:
    assert language(locale).code == code


@pytest.mark.parametrize("locale", [None, "", "es_ES", "es", "it-IT", "english", "en_XX", "e"])
def test_anything_else_is_answered_in_the_shop_default_german(locale: str | None) -> None:
    assert language(locale) is GERMAN


@pytest.mark.parametrize(
    ("spoken", "cents", "currency", "text"),
    [
        (GERMAN, 123450, "EUR", "1.234,50 €"),
        (ENGLISH, 123450, "EUR", "€1,234.50"),
        (FRENCH, 123450, "EUR", "1 234,50 €"),
        (ENGLISH, -123450, "EUR", "-€1,234.50"),
        (GERMAN, -5, "EUR", "-0,05 €"),
        (GERMAN, 0, "EUR", "0,00 €"),
        (GERMAN, 1234567890, "EUR", "12.345.678,90 €"),
        (ENGLISH, 999, "USD", "USD9.99"),  # no symbol known: the code stands for it
        (GERMAN, 999, "CHF", "9,99 CHF"),
    ],
)
def test_prices_follow_the_languages_number_pattern(
    spoken: Language, cents: int, currency: str, text: str
) -> None:
    assert spoken.price(cents, currency) == text


@given(spoken=st.sampled_from(LANGUAGES), cents=st.integers(-(10**12), 10**12))
def test_a_written_price_reads_back_as_the_same_amount(spoken: Language, cents: int) -> None:
    text = spoken.price(cents, "EUR")
    assert text.startswith("-") is (cents < 0)
    digits = text.lstrip("-").replace("€", "").strip()
    number = digits.replace(spoken.group, "").replace(spoken.decimal, ".")
    assert Decimal(number) * 100 == abs(cents)
    whole = digits.rsplit(spoken.decimal, 1)[0]
    assert all(len(group) == 3 for group in whole.split(spoken.group)[1:])  # groups of three


def test_each_language_names_every_method_once() -> None:
    for spoken in LANGUAGES:
        assert len(set(spoken.shipping)) == 3 and len(set(spoken.payments)) == 4
        assert spoken.unit and spoken.discount
    assert len({spoken.discount for spoken in LANGUAGES}) == 3  # each in its own words
