"""``cartkit serve``: run the mock with uvicorn."""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import tempfile
from datetime import datetime
from typing import Any

import click
import uvicorn
from starlette.applications import Starlette

from cartkit import specs
from cartkit.specs.cli import VENDOR

from .admin import is_loopback
from .app import create_app, startup_dataset
from .config import MockConfig
from .cors import origin_error
from .dataset import DEFAULT_NOW
from .faults import FORCE_STATUS_HEADER
from .journal import DEFAULT_SIZE
from .memory import serve_from_here
from .scenarios import SCENARIOS
from .userdata import DataError, read

__all__ = ["CONFIG_ENV", "app_from_env", "serve"]

CONFIG_ENV = "CARTKIT_MOCK_CONFIG"
"""The environment variable :func:`app_from_env` reads the config from
(:meth:`MockConfig.to_json <mockserver.config.MockConfig.to_json>`)."""


def app_from_env() -> Starlette:
    """App factory for uvicorn workers: every worker rebuilds the same app from the same config."""
    return _served(create_app(MockConfig.from_json(os.environ[CONFIG_ENV])))


def _served(app: Starlette) -> Starlette:
    """*app*, about to be served by this process (see :func:`.memory.serve_from_here`)."""
    serve_from_here()
    return app


def _latency(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[float, float]:
    if value is None:
        return 0.0, 0.0
    base, _, jitter = value.partition(":")
    try:
        result = float(base), float(jitter or 0)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not MS or MS:JITTER (e.g. 200:50)") from None
    if min(result) < 0:
        raise click.BadParameter(f"{value!r}: latency and jitter must be >= 0")
    return result


def _origins(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    for origin in value:
        if (problem := origin_error(origin)) is not None:
            raise click.BadParameter(problem)
    return value


def _scenarios(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
) -> tuple[tuple[str, str], ...]:
    chosen = []
    for item in value:
        vendor, _, name = item.rpartition("=")
        if name not in SCENARIOS:
            raise click.BadParameter(
                f"{item!r}: unknown scenario {name!r}; choose from {', '.join(SCENARIOS)}"
            )
        if vendor and vendor not in specs.VENDORS:
            raise click.BadParameter(f"{item!r}: {specs.UnknownVendorError(vendor)}")
        chosen.append((vendor or "*", name))
    return tuple(chosen)


def _instant(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime:
    if value is None:
        return DEFAULT_NOW
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 instant") from None
    if moment.tzinfo is None:
        raise click.BadParameter(f"{value!r} has no UTC offset (add Z or +00:00)")
    return moment


def _data(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> tuple[str, tuple[dict[str, Any], ...]] | None:
    if value is None:
        return None
    try:
        return value, read(value)
    except DataError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--vendor", type=VENDOR, help="Serve only this vendor, at its real root path.")
@click.option("--seed", default=0, show_default=True, type=int, help="Dataset seed.")
@click.option(
    "--carts",
    default=1000,
    show_default=True,
    type=click.IntRange(0),
    help="Generated carts per vendor (beside --data's; 0: only those).",
)
@click.option(
    "--data",
    "data",
    type=click.Path(dir_okay=False),
    callback=_data,
    metavar="FILE",
    help="Your own carts (JSON or YAML, the shape of carts.schema.json), for every vendor.",
)
@click.option(
    "--now",
    callback=_instant,
    help=f"Anchor instant for dates [default: {DEFAULT_NOW:%Y-%m-%dT%H:%M:%SZ}].",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1),
    help="uvicorn worker processes.",
)
@click.option(
    "--token", envvar="CARTKIT_TOKEN", help="Accept only this bearer token [env CARTKIT_TOKEN]."
)
@click.option(
    "--api-key",
    envvar="CARTKIT_API_KEY",
    help="Accept only this ShopiMind key [env CARTKIT_API_KEY].",
)
@click.option(
    "--client-id",
    envvar="CARTKIT_CLIENT_ID",
    help="Token endpoints accept only this OAuth client id [env CARTKIT_CLIENT_ID].",
)
@click.option(
    "--client-secret",
    envvar="CARTKIT_CLIENT_SECRET",
    help="Token endpoints accept only this client secret [env CARTKIT_CLIENT_SECRET].",
)
@click.option(
    "--shop", "shops", multiple=True, help="Extra ePages shop id (DemoShop is always known)."
)
@click.option(
    "--latency", callback=_latency, metavar="MS[:JITTER]", help="Delay every vendor request."
)
@click.option("--error-rate", default=0.0, show_default=True, type=click.FloatRange(0, 1),
              help="Share of vendor requests answered 429/500/503 (seeded).")  # fmt: skip
@click.option("--cache-mb", default=32.0, show_default=True, type=click.FloatRange(0),
              help="Memory per vendor for remembered answers (MiB; 0 turns it off).")  # fmt: skip
@click.option("--cors/--no-cors", default=True, show_default=True,
              help="Answer CORS preflights and let browser pages on other origins read answers.")  # fmt: skip
@click.option("--cors-origin", "cors_origins", multiple=True, callback=_origins, metavar="ORIGIN",
              help="Allow only this origin (repeatable), e.g. http://localhost:3000 [default: any].")  # fmt: skip
@click.option("--scenario", "scenarios", multiple=True, callback=_scenarios,
              metavar="[VENDOR=]NAME",
              help=f"Start in this scenario (repeatable): {', '.join(SCENARIOS)}.")  # fmt: skip
@click.option("--journal-size", default=DEFAULT_SIZE, show_default=True, type=click.IntRange(0),
              help="Requests each worker keeps for GET /__cartkit/requests (0: none).")  # fmt: skip
@click.option("--admin-token", envvar="CARTKIT_ADMIN_TOKEN",
              help="Bearer token the admin API requires; needed for it on a non-loopback "
              "--host [env CARTKIT_ADMIN_TOKEN].")  # fmt: skip
@click.option("--console/--no-console", default=True, show_default=True,
              help="Serve the web console at /__cartkit/ (and redirect / there).")  # fmt: skip
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["debug", "info", "warning", "error"]))  # fmt: skip
def serve(
    host: str,
    port: int,
    vendor: str | None,
    seed: int,
    carts: int,
    data: tuple[str, tuple[dict[str, Any], ...]] | None,
    now: datetime,
    workers: int,
    token: str | None,
    api_key: str | None,
    client_id: str | None,
    client_secret: str | None,
    shops: tuple[str, ...],
    latency: tuple[float, float],
    error_rate: float,
    cache_mb: float,
    cors: bool,
    cors_origins: tuple[str, ...],
    scenarios: tuple[tuple[str, str], ...],
    journal_size: int,
    admin_token: str | None,
    console: bool,
    log_level: str,
) -> None:
    """Serve seeded carts for every vendor (or one) with the vendors' real list semantics.

    Send the header X-Cartkit-Force-Status: 503 to make one call fail.
    """
    if vendor is not None and any(v not in {"*", vendor} for v, _ in scenarios):
        raise click.BadParameter(
            f"a scenario for a vendor other than --vendor {vendor}", param_hint="'--scenario'"
        )
    config = MockConfig(
        vendors=(vendor,) if vendor else specs.VENDORS,
        at_root=vendor is not None,
        seed=seed,
        carts=carts,
        data=data[1] if data else (),
        data_source=data[0] if data else None,
        now=now,
        token=token,
        api_key=api_key,
        client_id=client_id,
        client_secret=client_secret,
        shops=shops,
        latency_ms=latency[0],
        jitter_ms=latency[1],
        error_rate=error_rate,
        cache_mb=cache_mb,
        cors=cors,
        cors_origins=cors_origins,
        scenarios=scenarios,
        host=host,
        admin_token=admin_token,
        journal_size=journal_size,
        workers=workers,
        console=console,
    )
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(message)s")
    # A data file whose carts cannot be completed stops the mock before it serves anything.
    try:
        app = _served(create_app(config)) if workers == 1 else None
        if app is None and config.entries:
            for name in config.vendors:
                startup_dataset(config, name)
    except DataError as exc:
        raise click.BadParameter(str(exc), param_hint="'--data'") from None
    base = f"http://{host}:{port}"
    click.echo(
        f"cartkit mock: {len(config.vendors)} vendor(s), seed {seed}, {carts} carts each"
        f"{f' + {len(config.entries)} from {config.data_source}' if data else ''}, "
        f"{workers} worker(s) on {base}",
        err=True,
    )
    for name in config.vendors:
        route = specs.operation(specs.load(name))[0]
        prefix = config.prefix(name)
        click.echo(
            f"  {name:<13} GET {base}{prefix}{route}   spec: {base}{prefix}/openapi.json", err=True
        )
        for path, item in (specs.tokens(name) or {}).get("paths", {}).items():
            for method in item:
                click.echo(f"  {'':<13} {method.upper()} {base}{prefix}{path}", err=True)
    click.echo(
        f"  health        GET {base}/__cartkit/health   faults: {FORCE_STATUS_HEADER}", err=True
    )
    allowed = ", ".join(cors_origins) or "any origin"
    click.echo(f"  CORS          {allowed if cors else 'off (--no-cors)'}", err=True)
    if admin_token is None and not is_loopback(host):
        admin = f"off: {host} is not a loopback address; give --admin-token to use it"
    else:
        admin = (
            f"{base}/__cartkit/ overview, scenarios, scenario, faults, requests (the journal), "
            "openapi.json"
        )
        admin += "; bearer token required" if admin_token else ""
    click.echo(f"  admin         {admin}", err=True)
    if not console:
        page = "off (--no-console)"
    else:
        page = f"{base}/__cartkit/ in a browser"
        if admin_token is None and not is_loopback(host):
            page += " (it says the admin API is off)"
        elif admin_token:
            page += " (it asks for the admin token)"
    click.echo(f"  console       {page}", err=True)
    if chosen := {
        v: config.scenario_for(v) for v in config.vendors if config.scenario_for(v) != "default"
    }:
        click.echo(f"  scenario      {', '.join(f'{v}={n}' for v, n in chosen.items())}", err=True)
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": log_level,
        "access_log": False,
    }
    if app is not None:
        uvicorn.run(app, **options)
        return
    # The workers share their run-time state (scenarios, the journal) in a directory of ours.
    shared = tempfile.mkdtemp(prefix="cartkit-state-")
    try:
        os.environ[CONFIG_ENV] = dataclasses.replace(config, state_dir=shared).to_json()
        uvicorn.run("cartkit.mockserver.cli:app_from_env", factory=True, workers=workers, **options)
    finally:
        shutil.rmtree(shared, ignore_errors=True)
