"""Everything that shapes a mock instance, in one immutable record."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cartkit import specs

from .cors import origin_error
from .dataset import DEFAULT_NOW
from .journal import DEFAULT_SIZE
from .scenarios import SCENARIOS
from .userdata import entries_from

__all__ = ["MockConfig"]


@dataclass(frozen=True, slots=True)
class MockConfig:
    """Settings of one mock app; the same config gives byte-identical responses anywhere.

    Attributes:
        vendors: the vendors to serve.
        at_root: serve the (single) vendor at its real root path instead of under ``/<vendor>``.
        seed: dataset seed; each vendor derives its own from it.
        carts: number of generated carts per vendor (beside those of *data*).
        data: your own carts: a JSON or YAML file, or a list of dicts, in the shape of
            ``carts.schema.json`` (validated now: a bad entry raises
            :class:`~cartkit.mockserver.userdata.DataError`, naming it).
        data_source: what errors call *data* (default: the file's path, or ``data``).
        now: anchor instant; cart dates and time-like envelope fields derive from it.
        token: when set, the only bearer token accepted (bearer vendors).
        api_key: when set, the only API key accepted (ShopiMind).
        client_id, client_secret: when set, the only OAuth client the token endpoints accept.
        shops: ePages shop ids known besides ``DemoShop``.
        latency_ms, jitter_ms: delay added to every vendor request.
        error_rate: probability (0-1) of answering a vendor request with 429, 500 or 503.
        cache_mb: memory per vendor for remembered answers, in MiB (0: answer every request
            afresh). Answers never change for a config, so this only saves work.
        cors: answer browsers' CORS preflights and let pages on other origins read the answers.
        cors_origins: the origins allowed (``http://localhost:3000``, ...); empty allows any.
        scenarios: ``(vendor, scenario)`` pairs chosen at start-up; vendor ``"*"`` is every
            vendor, a vendor's own pair wins (``--scenario empty``, ``--scenario stateset=down``).
        host: the address the mock listens on; the admin API is off on a non-loopback host
            unless ``admin_token`` is set.
        admin_token: when set, the bearer token every admin call needs.
        journal_size: requests each worker keeps in the journal (0: no journal).
        state_dir: the directory the workers share run-time state in (``None``: a private
            temporary one; ``cartkit serve --workers N`` makes one for its workers).
        workers: how many worker processes serve this config (``cartkit serve --workers``);
            told to people, changes no answer.
        console: serve the web console at ``/__cartkit/`` (``--no-console``: 404).
    """

    vendors: tuple[str, ...] = specs.VENDORS
    at_root: bool = False
    seed: int = 0
    carts: int = 1000
    data: str | Path | Sequence[Mapping[str, Any]] = field(default=(), hash=False)
    data_source: str | None = None
    now: datetime = DEFAULT_NOW
    token: str | None = None
    api_key: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    shops: tuple[str, ...] = field(default=())
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    error_rate: float = 0.0
    cache_mb: float = 32.0
    cors: bool = True
    cors_origins: tuple[str, ...] = ()
    scenarios: tuple[tuple[str, str], ...] = ()
    host: str = "127.0.0.1"
    admin_token: str | None = None
    journal_size: int = DEFAULT_SIZE
    state_dir: str | None = None
    workers: int = 1
    console: bool = True
    entries: tuple[dict[str, Any], ...] = field(init=False, hash=False, compare=False, repr=False)
    """The carts of *data*, validated against the schema."""

    def __post_init__(self) -> None:
        if isinstance(self.data, str | Path):
            object.__setattr__(self, "data_source", self.data_source or str(self.data))
        object.__setattr__(self, "data_source", self.data_source or "data")
        object.__setattr__(self, "entries", entries_from(self.data, self.data_source or "data"))
        for vendor in self.vendors:
            specs.path(vendor)  # raises UnknownVendorError with the known names
        if self.at_root and len(self.vendors) != 1:
            raise ValueError("at_root serves exactly one vendor")
        if self.carts < 0:
            raise ValueError(f"carts must be >= 0, got {self.carts!r}")
        if not 0.0 <= self.error_rate <= 1.0:
            raise ValueError(f"error_rate must be within 0..1, got {self.error_rate!r}")
        if self.cache_mb < 0:
            raise ValueError(f"cache_mb must be >= 0, got {self.cache_mb!r}")
        if self.latency_ms < 0 or self.jitter_ms < 0:
            raise ValueError("latency and jitter must be >= 0")
        for origin in self.cors_origins:
            if (problem := origin_error(origin)) is not None:
                raise ValueError(problem)
        for vendor, scenario in self.scenarios:
            if vendor != "*" and vendor not in self.vendors:
                raise ValueError(f"scenario for {vendor!r}, which is not served here")
            if scenario not in SCENARIOS:
                raise ValueError(
                    f"unknown scenario {scenario!r}; choose from {', '.join(SCENARIOS)}"
                )
        if self.journal_size < 0:
            raise ValueError(f"journal_size must be >= 0, got {self.journal_size!r}")
        if self.workers < 1:
            raise ValueError(f"workers must be >= 1, got {self.workers!r}")
        if self.now.tzinfo is None:
            raise ValueError(f"now must be timezone-aware, got {self.now!r}")

    def to_json(self) -> str:
        """This config as JSON, from which :meth:`from_json` rebuilds it in another process (the
        workers of ``cartkit serve --workers``, the pytest plugin's server).

        The carts of *data* travel as the validated :attr:`entries`, not as the file: every
        process serves what was validated here.
        """
        fields = dataclasses.asdict(self)
        fields["now"] = self.now.isoformat()
        fields["data"] = list(fields.pop("entries"))
        return json.dumps(fields)

    @classmethod
    def from_json(cls, text: str) -> MockConfig:
        """The config :meth:`to_json` wrote *text* from."""
        fields: dict[str, Any] = json.loads(text)
        fields["now"] = datetime.fromisoformat(fields["now"])
        fields["vendors"] = tuple(fields["vendors"])
        fields["shops"] = tuple(fields["shops"])
        fields["cors_origins"] = tuple(fields["cors_origins"])
        fields["scenarios"] = tuple(tuple(pair) for pair in fields["scenarios"])
        fields["data"] = tuple(fields["data"])
        return cls(**fields)

    def scenario_for(self, vendor: str) -> str:
        """The scenario *vendor* starts in (its own choice, else every vendor's, else default)."""
        chosen = dict(self.scenarios)
        return chosen.get(vendor) or chosen.get("*") or "default"

    def prefix(self, vendor: str) -> str:
        """The path prefix *vendor* is mounted under (``""`` at root)."""
        return "" if self.at_root else f"/{vendor}"
