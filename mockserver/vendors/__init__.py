"""One module per vendor: its market, how it renders carts, its query semantics and errors.

Each reads in the same order: the docstring (the endpoint, the vendor's docs, money and error
shapes, the decisions where the docs are silent); ``MARKET`` and the constants, public first (a
helper a constant needs comes just before it); the public functions other modules use; the
:class:`~cartkit.mockserver.vendor.Vendor` subclass, its set-up first (``__init__``, token endpoints)
and then its sections ``request`` (``query``, ``precheck``), ``listing`` (``list_carts``,
``mask``, ``_predicates`` and what a page needs), ``rendering`` (``render`` and its parts) and
``errors`` (``error``); the private helpers, in the order the class uses them; ``VENDOR``.
A vendor's token endpoints, and parts of it large enough to stand alone, live beside it in
``<vendor>_<part>.py``.
"""

from __future__ import annotations

import importlib

from cartkit import specs

from ..vendor import Vendor

__all__ = ["vendor_class"]


def vendor_class(name: str) -> type[Vendor]:
    """The :class:`~cartkit.mockserver.vendor.Vendor` subclass implementing *name*."""
    specs.path(name)  # raises UnknownVendorError listing the known vendors
    module = importlib.import_module(f"{__name__}.{name}")
    cls: type[Vendor] = module.VENDOR
    return cls
