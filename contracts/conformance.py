"""Conformance: Schemathesis 4.x runs the vendor spec against the target, all built-in checks.

The spec comes from ``specs`` (never from the server), the run is seeded and derandomized, and
positive and negative data are generated in the examples, coverage and fuzzing phases. Two
inputs can't be fuzzed without false failures, so they are pinned or dropped (SCHEMATHESIS.md,
pitfall 9): path parameters such as ePages' ``shopId`` are pinned to the configured shop, and
opaque values such as 29 Next's ``cursor`` are only ever followed from the server's own links
(by the pagination checks), never invented.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from typing import Any

import schemathesis
from schemathesis.engine import events, from_schema

from .report import CheckResult, Failure, redact
from .target import Target

__all__ = ["NOT_APPLICABLE", "run"]

NOT_APPLICABLE: dict[str, str] = {
    "ignored_auth": (
        "a server may accept any well-formed credential (cartkit's mock does by default); "
        "missing and malformed credentials are checked by the auth group"
    ),
    "use_after_free": "needs create/delete operations; the API has one read-only operation",
    "ensure_resource_availability": "needs a create operation; the API is read-only",
    "object_level_authorization": "needs several identities and object operations",
}
"""Built-in checks that cannot judge a read-only, single-operation list API, and why."""

# What each built-in check expects, for failures whose message does not say.
_EXPECTED = {
    "not_a_server_error": "a status below 500",
    "status_code_conformance": "a status documented for the operation",
    "content_type_conformance": "a documented Content-Type",
    "response_headers_conformance": "the documented response headers",
    "response_schema_conformance": "a body matching the documented schema",
    "negative_data_rejection": "invalid input rejected with a 4xx",
    "positive_data_acceptance": "valid input accepted with a 2xx",
    "missing_required_header": "a 4xx when a required header is missing",
    "unsupported_method": "405 Method Not Allowed with an Allow header",
    "allow_header_conformance": "an Allow header listing the documented methods",
}
_MAX_FAILURES_PER_CHECK = 5

Progress = Callable[[int], None]


def run(
    target: Target,
    *,
    max_examples: int,
    seed: int | None,
    opaque: Sequence[str] = (),
    progress: Progress | None = None,
) -> list[CheckResult]:
    """Run Schemathesis against *target*; one :class:`CheckResult` per built-in check.

    Args:
        target: the server and credentials.
        max_examples: fuzzing examples per generation mode.
        seed: Hypothesis seed (``None``: a fixed derandomized one).
        opaque: query parameters whose values only the server can mint (never generated).
        progress: called with the number of requests made so far.
    """
    started = time.monotonic()
    schema = _schema(target, max_examples=max_examples, seed=seed)
    if opaque:

        @schema.hook("filter_case")
        def no_invented_opaque_values(ctx: Any, case: Any) -> bool:
            return not any(name in (case.query or {}) for name in opaque)

    nodes: dict[str, int] = {}
    failures: dict[str, list[Failure]] = {}
    seen: set[tuple[str, str, str]] = set()
    requests = 0
    errors: list[Failure] = []
    placeholders = target.placeholders()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            recorder = event.recorder
            requests += len(recorder.interactions)
            for case_id, checks in recorder.checks.items():
                for node in checks:
                    nodes[node.name] = nodes.get(node.name, 0) + 1
                    if node.failure_info is None:
                        continue
                    failure = node.failure_info.failure
                    key = (node.name, failure.title, failure.message.split("\n", 1)[0])
                    found = failures.setdefault(node.name, [])
                    if key in seen or len(found) >= _MAX_FAILURES_PER_CHECK:
                        continue
                    seen.add(key)
                    interaction = recorder.interactions.get(case_id)
                    response = interaction.response if interaction is not None else None
                    found.append(
                        _failure(
                            node.name, failure, response, node.failure_info.code_sample, target
                        )
                    )
            if progress is not None:
                progress(requests)
        elif isinstance(event, events.NonFatalError | events.FatalError):
            message = str(getattr(event, "info", None) or getattr(event, "exception", event))
            errors.append(
                Failure(
                    check="conformance.run",
                    title="Schemathesis could not complete a test",
                    expected="every generated request to get a response",
                    received=redact(message, target.secrets(), placeholders)[:2000],
                )
            )
    elapsed = time.monotonic() - started
    results = []
    for name in sorted(set(nodes) | set(NOT_APPLICABLE)):
        result = CheckResult(f"conformance.{name}", examples=nodes.get(name, 0))
        if name in NOT_APPLICABLE:
            result.skip_reason = NOT_APPLICABLE[name]
            result.examples = 0
        else:
            result.failures = failures.get(name, [])
        results.append(result)
    run_result = CheckResult("conformance.run", requests=requests, failures=errors)
    run_result.duration = elapsed
    run_result.examples = requests
    return [run_result, *results]


def _schema(target: Target, *, max_examples: int, seed: int | None) -> Any:
    contract = target.contract
    declared = set(contract.parameters)
    # Credentials and Accept go in as headers; declared header parameters are generated (and
    # broken, in negative mode) by Schemathesis itself unless pinned below.
    headers = {k: v for k, v in target.headers().items() if k not in declared}
    pinned: dict[str, Any] = {}
    for name in contract.path_parameters():
        pinned[f"path.{name}"] = target.shop_id
    for name, value in target.extra_headers().items():
        if name in declared and not contract.parameters[name].get("required"):
            pinned[f"header.{name}"] = value  # a shopper token the user chose
    config: dict[str, Any] = {
        "base-url": target.base_url,
        "workers": 1,
        "headers": headers,
        "request-timeout": target.timeout,
        "generation": {
            "max-examples": max_examples,
            "deterministic": seed is None,
            "database": "none",
        },
        "checks": {name: {"enabled": False} for name in NOT_APPLICABLE},
        # Mask the credentials only: the default markers also hide e.g. StateSet's `session_id`
        # query value, and the curl would no longer reproduce the failure.
        "output": {
            "sanitization": {
                "keys-to-sanitize": [h.lower() for h in target.placeholders()],
                "sensitive-markers": ["token", "api-key", "authorization"],
            }
        },
    }
    if seed is not None:
        config["seed"] = seed
    if pinned:
        config["parameters"] = pinned
    if target.rate_limit is not None:
        config["rate-limit"] = _rate(target.rate_limit)
    schema = schemathesis.openapi.from_dict(
        contract.raw, config=schemathesis.Config.from_dict(config)
    )
    if target.app is not None:
        schema.app = target.app
    return schema


def _rate(per_second: float) -> str:
    if float(per_second).is_integer():
        return f"{int(per_second)}/s"
    return f"{max(1, round(per_second * 60))}/m"


def _failure(check: str, failure: Any, response: Any, code_sample: str, target: Target) -> Failure:
    message = failure.message or ""
    expected = _field(message, ("Expected:", "Documented:")) or _EXPECTED.get(check, "no failure")
    received = _field(message, ("Received:",)) or message.strip().split("\n", 1)[0] or failure.title
    where = getattr(failure, "instance_path", None)
    if where is not None:
        received = f"{received} at /{'/'.join(map(str, where))}"
    if response is not None:
        received = f"{received} (HTTP {response.status_code}: {_snippet(response.content)})"
    placeholders = target.placeholders()
    secrets = target.secrets()
    return Failure(
        check=f"conformance.{check}",
        title=failure.title,
        expected=redact(expected, secrets, placeholders),
        received=redact(received, secrets, placeholders),
        curl=redact(code_sample, secrets, placeholders),
        code=getattr(failure, "code", None),
    )


def _field(message: str, labels: tuple[str, ...]) -> str | None:
    for line in message.splitlines():
        for label in labels:
            if line.strip().startswith(label):
                return line.strip()[len(label) :].strip()
    return None


def _snippet(content: bytes, limit: int = 300) -> str:
    text = content.decode("utf-8", "replace")
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[:limit] + "..."
