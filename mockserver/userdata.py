"""Your own carts: the data file (``--data``) and the body of ``POST /__cartkit/carts``.

Carts come in one vendor-neutral shape, described by ``carts.schema.json`` (package data, also
served at ``/__cartkit/carts.schema.json``), in which every field is optional. This module reads
and validates them, naming the entry, the field and why; :mod:`.completion` turns them into
carts of a vendor's dataset.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

__all__ = ["MAX_ADDED", "DataError", "clip", "entries_from", "read", "schema", "validate"]

MAX_ADDED = 10_000
"""Carts ``POST /__cartkit/carts`` may add in all, until ``DELETE /__cartkit/carts``."""


class DataError(ValueError):
    """A cart that cannot be served: where it is, which field, and why.

    >>> str(DataError("carts.yaml", 3, "lines[0].price", "'1.999' has more than two decimals"))
    "carts.yaml: carts[3].lines[0].price: '1.999' has more than two decimals"
    """

    def __init__(self, source: str, index: int | None, field: str | None, reason: str) -> None:
        self.source, self.index, self.field, self.reason = source, index, field, reason
        super().__init__(
            f"{source}: {self.where}: {reason}" if self.where else f"{source}: {reason}"
        )

    @property
    def where(self) -> str:
        """The JSON path of the offending value (``carts[3].lines[0].price``)."""
        if self.index is None:
            return self.field or ""
        return f"carts[{self.index}]" + (f".{self.field}" if self.field else "")


@functools.cache
def schema() -> dict[str, Any]:
    """The JSON Schema of a carts document (``{"carts": [...]}``)."""
    text = resources.files(__package__).joinpath("carts.schema.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def read(path: str | Path) -> tuple[dict[str, Any], ...]:
    """The validated carts of the file *path* (JSON, or YAML for ``.yaml``/``.yml``).

    Raises:
        DataError: the file cannot be read or parsed, or an entry breaks the schema.
    """
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(source, None, None, f"cannot be read ({exc})") from None
    try:
        if Path(path).suffix.lower() in {".yaml", ".yml"}:
            document = yaml.safe_load(text)
        else:
            document = json.loads(text)
    except (yaml.YAMLError, ValueError) as exc:
        raise DataError(source, None, None, f"is not valid {_format(path)}: {exc}") from None
    return validate(document, source)


def validate(document: Any, source: str) -> tuple[dict[str, Any], ...]:
    """The carts of *document* if it follows the schema.

    Raises:
        DataError: naming the first offending entry and field (in document order).
    """
    errors = sorted(_validator().iter_errors(document), key=lambda e: list(map(str, e.path)))
    if errors:
        error = min(errors, key=lambda e: (list(map(str, e.path)), -len(e.path)))
        deepest = jsonschema.exceptions.best_match([error]) or error
        raise _schema_error(source, deepest)
    return tuple(document["carts"])


def entries_from(
    data: str | Path | Sequence[Mapping[str, Any]], source: str = "data"
) -> tuple[dict[str, Any], ...]:
    """Validated carts from a path or a list of dicts (``MockConfig(data=...)``)."""
    if isinstance(data, str | Path):
        return read(data)
    if not data:
        return ()
    return validate({"carts": [dict(entry) for entry in data]}, source)


def _schema_error(source: str, error: jsonschema.ValidationError) -> DataError:
    path = list(error.absolute_path)
    if len(path) >= 2 and path[0] == "carts" and isinstance(path[1], int):
        index: int | None = path[1]
        rest = path[2:]
    else:
        index, rest = None, path
    field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in rest).lstrip(".")
    reason = error.message
    refusal = error.validator_value if error.validator == "not" else None
    if isinstance(refusal, dict) and "x-refusal" in refusal:  # a combination the schema forbids
        field = ".".join(filter(None, (field, refusal["x-field"])))
        return DataError(source, index, field, refusal["x-refusal"])
    # The schema says in words what its patterns and alternatives mean (``x-expected``).
    node: jsonschema.ValidationError | None = error
    while node is not None:
        if isinstance(node.schema, dict) and "x-expected" in node.schema:
            reason = f"{clip(node.instance)} is not {node.schema['x-expected']}"
            break
        node = node.parent
    return DataError(source, index, field or None, clip(reason, 200, quote=False))


def clip(value: Any, size: int = 60, *, quote: bool = True) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str) if quote else str(value)
    return text if len(text) <= size else text[:size] + "…"


def _format(path: str | Path) -> str:
    return "YAML" if Path(path).suffix.lower() in {".yaml", ".yml"} else "JSON"
