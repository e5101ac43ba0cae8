"""Properties every bundled spec must have, whatever the vendor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from click.testing import CliRunner
from hypothesis import given, settings
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from openapi_spec_validator import validate
from schemathesis import GenerationMode

from cartkit import specs
from cartkit.specs.cli import main

VENDORS = pytest.mark.parametrize("vendor", specs.VENDORS)


def _documents() -> list[Any]:
    """Every bundled document: each vendor's list spec and, where it has one, its token spec."""
    out = [pytest.param(specs.load(vendor), id=vendor) for vendor in specs.VENDORS]
    for vendor in specs.VENDORS:
        if (document := specs.tokens(vendor)) is not None:
            out.append(pytest.param(document, id=f"{vendor}-tokens"))
    return out


@pytest.mark.parametrize("spec", _documents())
def test_spec_is_valid_openapi_3_0(spec: dict[str, Any]) -> None:
    assert spec["openapi"] == "3.0.3"
    validate(spec)


def _examples(node: Any, where: str = "#") -> Iterator[tuple[str, Any, Any]]:
    """Yield ``(location, schema, example)`` for every example in the document."""
    if isinstance(node, dict):
        schema = node.get("schema")
        if schema is None and {"type", "properties", "items", "allOf", "anyOf", "oneOf"} & set(
            node
        ):
            schema = node  # a schema object carrying its own example
        if schema is not None and "example" in node:
            yield f"{where}/example", schema, node["example"]
        if schema is not None and isinstance(node.get("examples"), dict):
            for name, ex in node["examples"].items():
                if isinstance(ex, dict) and "value" in ex:
                    yield f"{where}/examples/{name}", schema, ex["value"]
        for key, value in node.items():
            yield from _examples(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _examples(value, f"{where}/{i}")


def _all_examples() -> Iterator[Any]:
    for param in _documents():
        (spec,) = param.values
        for where, schema, example in _examples(spec):
            yield pytest.param(spec, schema, example, id=f"{param.id}:{where}")


@pytest.mark.parametrize(("spec", "schema", "example"), list(_all_examples()))
def test_example_validates_against_its_schema(
    spec: dict[str, Any], schema: Any, example: Any
) -> None:
    # Local refs (#/components/...) resolve against the root, so carry the components along.
    root = {"allOf": [schema], "components": spec.get("components", {})}
    errors = [
        e.message
        for e in OAS30Validator(root, format_checker=oas30_format_checker).iter_errors(example)
    ]
    assert not errors


@pytest.mark.parametrize("spec", _documents())
def test_every_spec_carries_examples(spec: dict[str, Any]) -> None:
    locations = [where for where, _, _ in _examples(spec)]
    for route, item in spec["paths"].items():
        for method, operation in item.items():
            documented = [f"/{code}/" for code in operation["responses"] if code.startswith("2")]
            content = any(
                "content" in specs.resolve(spec, operation["responses"][code.strip("/")])
                for code in documented
            )
            if content:  # a redirect carries no body to exemplify
                prefix = f"#/paths/{route}/{method}/responses"
                assert any(
                    where.startswith(prefix) and any(code in where for code in documented)
                    for where in locations
                ), (route, method, locations)


@VENDORS
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_schemathesis_generates_requests(vendor: str, mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_path(specs.path(vendor))
    (result,) = list(schema.get_all_operations())
    operation = result.ok()
    seen = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=25, deadline=None, derandomize=True, database=None)
    def generate(case: Any) -> None:
        seen.append(case)

    generate()  # raises on any health-check failure (none suppressed)
    assert seen
    assert all(case.operation.path == specs.operation(specs.load(vendor))[0] for case in seen)


@pytest.mark.parametrize("spec", [p for p in _documents() if "tokens" in str(p.id)])
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_schemathesis_generates_token_requests(spec: dict[str, Any], mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_dict(spec)
    for result in schema.get_all_operations():
        operation = result.ok()
        assert _generated(operation, mode), operation.label


def _generated(operation: Any, mode: GenerationMode) -> list[Any]:
    seen: list[Any] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=10, deadline=None, derandomize=True, database=None)
    def generate(case: Any) -> None:
        seen.append(case)

    generate()  # raises on any health-check failure (none suppressed)
    return seen


def test_vendors_are_the_five() -> None:
    assert specs.VENDORS == ("shopimind", "nextcommerce", "elasticpath", "epages", "stateset")


@VENDORS
def test_path_points_at_packaged_yaml(vendor: str) -> None:
    assert specs.path(vendor).name == f"{vendor}.yaml"
    assert specs.path(vendor).is_file()


def test_load_returns_a_private_copy() -> None:
    first = specs.load("stateset")
    first["paths"].clear()
    assert specs.load("stateset")["paths"]


def test_unknown_vendor_lists_known_ones_and_suggests() -> None:
    with pytest.raises(specs.UnknownVendorError) as info:
        specs.load("statset")
    message = str(info.value)
    assert "'statset'" in message
    assert "did you mean 'stateset'" in message
    assert all(vendor in message for vendor in specs.VENDORS)
    with pytest.raises(ValueError, match="unknown vendor"):
        specs.path("nope")


def test_cli_lists_the_five_vendors_with_path_and_auth() -> None:
    result = CliRunner().invoke(main, ["specs", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines] == list(specs.VENDORS)
    for line, vendor in zip(lines, specs.VENDORS, strict=True):
        route, method, op = specs.operation(specs.load(vendor))
        assert f"{method.upper()}  " in line or method.upper() in line.split()
        assert route in line.split()
        assert op["operationId"] in line.split()
    assert "spm-api-key" in lines[0]
    assert "carts:read" in lines[1]


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_cli_shows_a_spec(fmt: str) -> None:
    import json

    import yaml

    result = CliRunner().invoke(main, ["specs", "show", "epages", "--format", fmt])
    assert result.exit_code == 0, result.output
    parsed = yaml.safe_load(result.output) if fmt == "yaml" else json.loads(result.output)
    assert parsed == specs.load("epages")


def test_cli_rejects_unknown_vendor_with_usage_error() -> None:
    result = CliRunner().invoke(main, ["specs", "show", "epage"])
    assert result.exit_code == 2
    assert "did you mean 'epages'" in result.output
