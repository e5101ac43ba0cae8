"""cartkit's semantic mock: seeded carts served with each vendor's real list semantics."""

from __future__ import annotations

from .app import create_app, datasets
from .config import MockConfig
from .dataset import DEFAULT_NOW, Dataset, generate

__all__ = ["DEFAULT_NOW", "Dataset", "MockConfig", "create_app", "datasets", "generate"]
