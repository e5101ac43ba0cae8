"""The ``cartkit`` command line: the root group and ``cartkit specs``.

``serve`` and ``check`` live with their packages (``mockserver``, ``contracts``) and plug in
through the ``cartkit.commands`` entry-point group, so this module imports neither: the packages
stay independent and a new command needs no change here.
"""

from __future__ import annotations

import json
from importlib.metadata import entry_points
from typing import Any

import click

from cartkit import specs


class _RootGroup(click.Group):
    """A group that finds its sub-commands in the ``cartkit.commands`` entry points, lazily."""

    def _plugins(self) -> dict[str, Any]:
        return {ep.name: ep for ep in entry_points(group="cartkit.commands")}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._plugins()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and (ep := self._plugins().get(cmd_name)) is not None:
            command = ep.load()
        return command


@click.group(cls=_RootGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cartkit")
def main() -> None:
    """cartkit: mock and contract-test five e-commerce "list carts" APIs."""


class _VendorType(click.ParamType):
    name = "vendor"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            specs.path(value)
        except specs.UnknownVendorError as exc:
            self.fail(str(exc), param, ctx)
        return str(value)

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
        from click.shell_completion import CompletionItem

        return [CompletionItem(v) for v in specs.VENDORS if v.startswith(incomplete)]


VENDOR = _VendorType()


@main.group("specs")
def specs_group() -> None:
    """List and print the bundled OpenAPI documents."""


def _auth_summary(spec: dict[str, Any], op: dict[str, Any]) -> str:
    schemes = spec.get("components", {}).get("securitySchemes", {})
    parts = []
    for requirement in op.get("security", spec.get("security", [])):
        for name, scopes in requirement.items():
            scheme = schemes.get(name, {})
            kind = scheme.get("type", "?")
            if kind == "apiKey":
                desc = f"apiKey {scheme.get('in')} {scheme.get('name')!s}"
            elif kind == "http":
                desc = f"http {scheme.get('scheme')}"
            else:
                desc = kind
            if scopes:
                desc += f" [{', '.join(scopes)}]"
            parts.append(desc)
    return " + ".join(parts) or "none"


@specs_group.command("list")
def list_specs() -> None:
    """One line per vendor: method, path, operationId and auth scheme."""
    rows = []
    for vendor in specs.VENDORS:
        spec = specs.load(vendor)
        route, method, op = specs.operation(spec)
        rows.append(
            (vendor, method.upper(), route, op.get("operationId", ""), _auth_summary(spec, op))
        )
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        click.echo(
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[4]
        )


@specs_group.command("show")
@click.argument("vendor", type=VENDOR)
@click.option(
    "--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True
)
def show_spec(vendor: str, fmt: str) -> None:
    """Print VENDOR's OpenAPI document."""
    if fmt == "yaml":
        click.echo(specs.path(vendor).read_text(encoding="utf-8"), nl=False)
    else:
        click.echo(json.dumps(specs.load(vendor), indent=2, ensure_ascii=False, default=str))
