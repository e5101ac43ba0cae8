"""Coverage: what one run exercised of the list endpoint's documented surface, so a passing run
says what it covered.

Every answer of the list endpoint the run received (the semantic checks' and Schemathesis's
alike) is observed on the way; nothing is sent for it. Per vendor it counts the documented
parameters sent, the enum values and sort orders exercised, the paging paths walked (first,
middle, last, past the end), the documented statuses and error envelopes seen, and the
documented response fields seen with a value (not ``null``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import orjson

from .oracle import Oracle
from .report import CheckResult, Outcome
from .spec import Contract

__all__ = ["PAGING_PATHS", "Coverage"]

PAGING_PATHS = ("first", "middle", "last", "past the end")
"""The paging paths a walk can take: the first page, one between two others, the last one, and
the (empty) page after it (offset and page-number vendors; a cursor cannot ask for it)."""


@dataclass(slots=True, eq=False)
class _Node:
    """A documented response field (a leaf) or a structure holding some."""

    path: str
    parent: _Node | None
    children: dict[str, _Node] | None = None  # None: a leaf; {"[]": items} for an array
    remaining: int = 0  # leaves below (or this leaf) not yet seen with a value


@dataclass(slots=True)
class Coverage:
    """The observations of one run against *contract*'s list endpoint."""

    contract: Contract
    oracle: Oracle
    base_url: str
    sent: set[str] = field(default_factory=set)
    values: dict[str, set[str]] = field(default_factory=dict)
    statuses: set[int] = field(default_factory=set)
    envelopes: set[int] = field(default_factory=set)
    paging: set[str] = field(default_factory=set)
    _route: re.Pattern[str] = field(init=False)
    _fields: _Node | None = None
    _leaves: list[_Node] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        base = urlsplit(self.base_url).path
        pattern = "".join(
            "[^/]+" if piece.startswith("{") else re.escape(piece)
            for piece in re.split(r"(\{[^}]+\})", self.contract.route)
        )
        self._route = re.compile(re.escape(base) + pattern)
        content: dict[str, Any] = (self.contract.response(200) or {}).get("content") or {}
        first: dict[str, Any] = next(iter(content.values()), {})
        body = first.get("schema")
        if body is not None:
            self._fields = self._tree(body, "", None, 0)
            self._index(self._fields)

    # -- the documented surface ------------------------------------------------------------

    @property
    def parameters(self) -> list[str]:
        """The documented parameters a request chooses (path parameters are always sent)."""
        return [n for n, p in self.contract.parameters.items() if p["in"] != "path"]

    def enums(self) -> dict[str, list[str]]:
        """Documented parameters with an enum (of their own or of their items), as sent."""
        out = {}
        for name in self.parameters:
            schema = self.contract.schema(name)
            items = self.contract.resolve(schema.get("items", {}))
            values = schema.get("enum") or items.get("enum")
            if values:
                out[name] = [_wire(v) for v in values]
        return out

    def documented_statuses(self) -> list[int]:
        """The statuses the list operation documents."""
        return sorted(int(s) for s in self.contract.operation.get("responses", {}) if s.isdigit())

    def documented_envelopes(self) -> list[int]:
        """The documented error statuses that have a body to match."""
        return [
            s
            for s in self.documented_statuses()
            if s >= 400 and (self.contract.response(s) or {}).get("content")
        ]

    # -- observing -------------------------------------------------------------------------

    def observe(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        status: int,
        content: bytes,
        media: str,
    ) -> None:
        """Take in one request to the list endpoint and its answer (others are ignored)."""
        parts = urlsplit(url)
        if method.upper() != "GET" or not self._route.fullmatch(parts.path):
            return
        enums = self.enums()
        query = parse_qsl(parts.query, keep_blank_values=True)
        for name in self.parameters:
            where = self.contract.parameters[name]["in"]
            if where == "header":
                sent = [v for k, v in headers.items() if k.lower() == name.lower()]
            else:
                sent = [v for k, v in query if k == name]
            if sent:
                self.sent.add(name)
                if name in enums:
                    for value in sent:
                        self.values.setdefault(name, set()).update(value.split(","))
        self.statuses.add(status)
        if status == 200:
            self._fields_of(content)
        elif status >= 400 and status not in self.envelopes:
            try:
                body = orjson.loads(content)
            except orjson.JSONDecodeError:
                return
            if self.contract.response(status) and not self.contract.validate(status, body, media):
                self.envelopes.add(status)

    def walked(self, path: str) -> None:
        """A walk took one of :data:`PAGING_PATHS`."""
        self.paging.add(path)

    # -- the summary -----------------------------------------------------------------------

    def summary(self, results: Iterable[CheckResult] = ()) -> dict[str, Any]:
        """Everything observed, against everything documented (the JSON report's section).

        *results* are the run's: a sort order counts as exercised when its check ran.
        """
        ran = {r.name for r in results if r.outcome is not Outcome.SKIPPED and r.examples}
        orders = [o.name.split(" ", 1)[0] for o in self.oracle.orders()]
        enums = self.enums()
        cursor = self.oracle.paging == "cursor"
        leaves = [leaf.path for leaf in self._leaves]
        return {
            "parameters": _part(self.parameters, self.sent, "sent"),
            "enums": {
                name: _part(values, self.values.get(name, set()), "sent")
                for name, values in enums.items()
            },
            "orders": _part(orders, {o for o in orders if f"ordering.{o}" in ran}, "exercised"),
            "paging": {
                path: (None if cursor and path == "past the end" else path in self.paging)
                for path in PAGING_PATHS
            },
            "statuses": _part(self.documented_statuses(), self.statuses, "seen"),
            "envelopes": _part(self.documented_envelopes(), self.envelopes, "seen"),
            "fields": _part(leaves, self._seen, "seen"),
        }

    # -- response fields -------------------------------------------------------------------

    def _tree(self, schema: Any, path: str, parent: _Node | None, depth: int) -> _Node:
        node = _Node(path, parent)
        properties: dict[str, Any] = {}
        items: Any = None
        pending = [schema]
        while pending and depth < 12:
            part = self.contract.resolve(pending.pop())
            if not isinstance(part, dict):
                continue
            properties |= part.get("properties", {})
            items = part.get("items", items)
            for key in ("allOf", "oneOf", "anyOf"):
                pending += part.get(key, [])
        if properties:
            node.children = {
                key: self._tree(sub, f"{path}.{key}" if path else key, node, depth + 1)
                for key, sub in properties.items()
            }
        elif items is not None:
            child = self._tree(items, f"{path}[]", node, depth + 1)
            if child.children is not None:  # an array of scalars is one field
                node.children = {"[]": child}
        return node

    def _index(self, node: _Node) -> None:
        """Count the leaves below each node, and list them."""
        if node.children is None:
            self._leaves.append(node)
            node.remaining = 1
            return
        for child in node.children.values():
            self._index(child)
        node.remaining = sum(c.remaining for c in node.children.values())

    def _fields_of(self, content: bytes) -> None:
        if self._fields is None or not self._fields.remaining:
            return
        try:
            body = orjson.loads(content)
        except orjson.JSONDecodeError:
            return
        self._visit(self._fields, body)

    def _visit(self, node: _Node, value: Any) -> None:
        if value is None or not node.remaining:
            return
        if node.children is None:
            self._seen.add(node.path)
            ancestor: _Node | None = node
            while ancestor is not None:
                ancestor.remaining -= 1
                ancestor = ancestor.parent
            return
        items = node.children.get("[]")
        if items is not None:
            for item in value if isinstance(value, list) else ():
                if not items.remaining:
                    break
                self._visit(items, item)
            return
        if isinstance(value, dict):
            for key, child in node.children.items():
                if child.remaining:
                    self._visit(child, value.get(key))


def _part(documented: Iterable[Any], observed: set[Any], verb: str) -> dict[str, Any]:
    documented = list(documented)
    hit = [d for d in documented if d in observed]
    missed = [d for d in documented if d not in observed]
    percent = round(100.0 * len(hit) / len(documented), 1) if documented else 100.0
    return {"percent": percent, verb: hit, f"not_{verb}": missed}


def _wire(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
