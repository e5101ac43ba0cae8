"""The pipeline every vendor shares (``mockserver/vendor.py``): what it remembers."""

from __future__ import annotations

from typing import Any

from cartkit.mockserver.config import MockConfig
from cartkit.mockserver.dataset import generate
from cartkit.mockserver.filters import Mask
from cartkit.mockserver.vendor import FilterKey
from cartkit.mockserver.vendors.stateset import MARKET, StateSet


class _Counting(StateSet):
    """StateSet, counting how often a filter's mask is computed."""

    def __init__(self, *args: Any) -> None:
        self.computed: list[FilterKey] = []
        super().__init__(*args)

    def mask(self, key: FilterKey) -> Mask | None:
        self.computed.append(key)
        return super().mask(key)


def _vendor() -> _Counting:
    return _Counting(generate(MARKET, count=50), MockConfig(vendors=("stateset",), carts=50))


def _key(status: str | None = None, minimum: int | None = None) -> FilterKey:
    # StateSet's filter values, in its order: status ... min_value
    return (status, None, None, None, None, None, None, None, minimum)


def test_filtered_computes_a_mask_once_per_key() -> None:
    vendor = _vendor()
    first = vendor.filtered(_key("abandoned"))
    assert vendor.filtered(_key("abandoned")) is first
    assert vendor.filtered(_key()) is None  # no filter keeps every cart
    assert vendor.computed == [_key("abandoned"), _key()]


def test_filtered_keeps_the_sixteen_most_recent_keys() -> None:
    vendor = _vendor()
    keys = [_key(minimum=n) for n in range(17)]
    for key in keys:
        vendor.filtered(key)
    vendor.filtered(keys[-1])
    vendor.filtered(keys[0])  # the least recently used one was let go
    assert vendor.computed == [*keys, keys[0]]
