"""One module per vendor: its market, how it renders carts, its query semantics and errors."""

from __future__ import annotations

import importlib

import specs

from ..vendor import Vendor

__all__ = ["vendor_class"]


def vendor_class(name: str) -> type[Vendor]:
    """The :class:`~mockserver.vendor.Vendor` subclass implementing *name*."""
    specs.path(name)  # raises UnknownVendorError listing the known vendors
    module = importlib.import_module(f"{__name__}.{name}")
    cls: type[Vendor] = module.VENDOR
    return cls
