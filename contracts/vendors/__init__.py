"""The vendors' oracles, one module each (``contracts.vendors.<vendor>``), and their lookup.

What an oracle is, and the records it answers in, live in :mod:`cartkit.contracts.oracle`; a vendor's
token endpoints have their own oracle beside it (``<vendor>_tokens.py``, see :mod:`.tokens`).
"""

from __future__ import annotations

from ..oracle import Oracle
from ..spec import Contract
from . import elasticpath, epages, nextcommerce, shopimind, stateset

__all__ = ["ORACLES", "oracle_for"]

ORACLES: dict[str, type[Oracle]] = {
    module.ORACLE.vendor: module.ORACLE
    for module in (elasticpath, epages, nextcommerce, shopimind, stateset)
}
"""Vendor name -> its :class:`~cartkit.contracts.oracle.Oracle` subclass."""


def oracle_for(contract: Contract) -> Oracle:
    """The oracle of *contract*'s vendor (``contracts.vendors.<vendor>.ORACLE``)."""
    return ORACLES[contract.vendor](contract)
