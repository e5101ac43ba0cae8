"""Conformance: Schemathesis 4.x runs a vendor document against the target, all built-in checks.

Two documents per vendor can be run: the list spec (checks named ``conformance.<check>``) and
the token document (``tokens.conformance.<check>``, in the ``tokens`` group so ``--only tokens``
takes every token check). Documents come from ``specs`` (never from the server), the run is
seeded and derandomized, and positive and negative data are generated in the examples, coverage
and fuzzing phases. Some inputs can't be fuzzed without false failures, so they are pinned or
dropped (a random value that matches the schema is still refused by a faithful server, which
Schemathesis would report as a valid request rejected): path parameters such as ePages'
``shopId`` are pinned to the configured shop; opaque values such as 29 Next's ``cursor`` are
only ever followed from the server's own links (by the pagination checks), never invented; a
valid token request may be refused for the made-up code or client it carries (see
:func:`_token_config`). How a finding becomes a :class:`~cartkit.contracts.report.Failure` is
:mod:`.conformance_failures`'s.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Sequence
from typing import Any

import schemathesis
import schemathesis.specs.openapi.checks  # registers the built-in checks in CHECKS
from schemathesis.checks import CHECKS
from schemathesis.engine import events, from_schema

from ..reading import Breaker, bound
from ..report import CheckResult, Failure
from ..spec import Contract, Operation, TokenDocument
from ..target import Target
from .conformance_failures import error_failure, failure_of, unanswered_failure

__all__ = ["NOT_APPLICABLE", "TOKENS_NOT_APPLICABLE", "planned", "run"]

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

TOKENS_NOT_APPLICABLE: dict[str, str] = {
    "ignored_auth": (
        "a server may accept any well-formed credential (cartkit's mock does by default); the "
        "shopper logins take the list's bearer, whose refusals the auth group checks"
    ),
    "use_after_free": "token endpoints create credentials, not resources a later call deletes",
    "ensure_resource_availability": "no token endpoint creates a resource another one reads",
    "object_level_authorization": NOT_APPLICABLE["object_level_authorization"],
}
"""The same for a token document: its operations mint credentials, no resource is kept."""


def planned(document: Contract | TokenDocument) -> dict[str, str | None]:
    """Every check a run of *document* reports, by name: ``None`` where the check judges this
    document, else the reason it cannot (the run reports it skipped with that reason).

    Besides the checks no read-only API can use, a document may leave a check nothing to judge:
    ``missing_required_header`` needs a required header (a credential sent in one counts), and
    ``response_headers_conformance`` a documented response header.
    """
    operations: list[Operation] = (
        list(document.operations.values()) if isinstance(document, TokenDocument) else [document]
    )
    not_applicable = (
        TOKENS_NOT_APPLICABLE if isinstance(document, TokenDocument) else NOT_APPLICABLE
    )
    out: dict[str, str | None] = {}
    for check in CHECKS.get_all():
        name = check.__name__
        out[name] = not_applicable.get(name)
    if not any(
        op.secured or any(p["in"] == "header" and p.get("required") for p in op.parameters.values())
        for op in operations
    ):
        out["missing_required_header"] = "the document requires no header and no credential"
    if not any(
        (op.response(int(status)) or {}).get("headers")
        for op in operations
        for status in op.operation.get("responses", {})
        if status.isdigit()
    ):
        out["response_headers_conformance"] = "the document declares no response header"
    return out


# Schemathesis's own default for `positive_data_acceptance`, which the token run widens.
_POSITIVE_STATUSES = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
# ... and for `negative_data_rejection`, which an authorization endpoint's redirect widens.
_NEGATIVE = ["400", "401", "403", "404", "405", "406", "409", "415", "422", "428", "429", "5xx"]
_FORM = "application/x-www-form-urlencoded"

_MAX_FAILURES_PER_CHECK = 5

Progress = Callable[[int], None]
Shape = Callable[[str, str], str]
Observe = Callable[[str, str, dict[str, str], int, bytes, str], None]


def _observe(observe: Observe, interaction: Any) -> None:
    request, response = interaction.request, interaction.response
    if response is None:
        return
    media = (response.headers.get("content-type") or [""])[0].split(";")[0].strip()
    headers = {name: values[0] for name, values in request.headers.items() if values}
    observe(request.method, request.uri, headers, response.status_code, response.content, media)


def run(
    target: Target,
    document: Contract | TokenDocument | None = None,
    *,
    max_examples: int,
    seed: int | None,
    opaque: Sequence[str] = (),
    progress: Progress | None = None,
    shape: Shape | None = None,
    observe: Observe | None = None,
) -> list[CheckResult]:
    """Run Schemathesis against *target*; one :class:`CheckResult` per built-in check.

    Args:
        target: the server and credentials.
        document: the list contract (the default) or the vendor's token document.
        max_examples: fuzzing examples per generation mode.
        seed: Hypothesis seed (``None``: a fixed derandomized one).
        opaque: query parameters whose values only the server can mint (never generated).
        progress: called with the number of requests made so far.
        shape: ``(method, url) -> shape`` of a failing request (see :class:`Failure`).
        observe: told of every request and answer (``Coverage.observe``).
    """
    started = time.monotonic()
    document = document or target.contract
    tokens = isinstance(document, TokenDocument)
    prefix = "tokens.conformance" if tokens else "conformance"
    applicable = planned(document)
    schema = _schema(target, document, max_examples=max_examples, seed=seed, opaque=opaque)
    if target.probe_error is not None:
        # Schemathesis's own first requests (its capability probes) read without a limit: a
        # server that already sent no usable answer is not handed to it.
        unanswered = unanswered_failure(prefix, target, target.probe_error)
        return [CheckResult(f"{prefix}.run", failures=[unanswered])]
    if opaque:

        @schema.hook("filter_case")
        def no_invented_opaque_values(ctx: Any, case: Any) -> bool:
            return not any(name in (case.query or {}) for name in opaque)

    if tokens:

        @schema.hook("filter_case")
        def no_repeated_form_fields(ctx: Any, case: Any) -> bool:
            # A list (or object) in a form body is sent as a field given several times, which
            # RFC 6749 §3.2 forbids ("MUST NOT be included more than once") and the servers
            # rightly refuse; the documents' `additionalProperties: true` still allows it, so a
            # valid-looking request would be a false `positive_data_acceptance` failure.
            positive = case.meta is None or case.meta.generation.mode.is_positive
            if not positive or case.media_type != _FORM or not isinstance(case.body, dict):
                return True
            return all(not isinstance(v, list | dict) for v in case.body.values())

    nodes: dict[str, int] = {}
    failures: dict[str, list[Failure]] = {}
    seen: set[tuple[str, str, str]] = set()
    requests = 0
    errors: list[Failure] = []
    seen_errors: set[str] = set()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            recorder = event.recorder
            requests += len(recorder.interactions)
            if observe is not None:
                for exchanged in recorder.interactions.values():
                    _observe(observe, exchanged)
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
                    sample = node.failure_info.code_sample
                    request = interaction.request if interaction is not None else None
                    where = (
                        shape(request.method, request.uri)
                        if shape is not None and request is not None
                        else None
                    )
                    found.append(
                        failure_of(prefix, node.name, failure, response, sample, target, where)
                    )
            if progress is not None:
                progress(requests)
        elif isinstance(event, events.NonFatalError | events.FatalError):
            error = error_failure(prefix, event, target)
            # The same error for every case (a server that stopped answering) is said once.
            if len(errors) < _MAX_FAILURES_PER_CHECK and error.received not in seen_errors:
                seen_errors.add(error.received)
                errors.append(error)
    elapsed = time.monotonic() - started
    results = []
    for name in sorted(set(nodes) | set(applicable)):
        result = CheckResult(f"{prefix}.{name}", examples=nodes.get(name, 0))
        if reason := applicable.get(name):
            result.skip_reason = reason
            result.examples = 0
        else:
            result.failures = failures.get(name, [])
        results.append(result)
    run_result = CheckResult(f"{prefix}.run", requests=requests, failures=errors)
    run_result.duration = elapsed
    run_result.examples = requests
    return [run_result, *results]


def _schema(
    target: Target,
    document: Contract | TokenDocument,
    *,
    max_examples: int,
    seed: int | None,
    opaque: Sequence[str] = (),
) -> Any:
    config: dict[str, Any] = {
        "base-url": target.base_url,
        "workers": 1,
        "request-timeout": target.timeout,
        "generation": {
            "max-examples": max_examples,
            "deterministic": seed is None,
            "database": "none",
        },
        # Mask the credentials only: the default markers also hide e.g. StateSet's `session_id`
        # query value, and the curl would no longer reproduce the failure.
        "output": {
            "sanitization": {
                "keys-to-sanitize": [h.lower() for h in target.placeholders()],
                "sensitive-markers": ["token", "api-key", "authorization"],
            }
        },
    }
    if isinstance(document, TokenDocument):
        config |= _token_config(target, document)
    else:
        config |= _list_config(target, document)
    if seed is not None:
        config["seed"] = seed
    if target.rate_limit is not None:
        config["rate-limit"] = _rate(target.rate_limit)
    raw = _without_examples(document.raw, opaque) if opaque else document.raw
    schema = schemathesis.openapi.from_dict(raw, config=schemathesis.Config.from_dict(config))
    if target.app is not None:
        schema.app = target.app
    else:
        # The kit's size and time limits; given up on apart from the kit's own requests, so a
        # server that stops answering Schemathesis's inputs still gets the semantic checks.
        bound(schema, target.limits, Breaker())
    return schema


def _without_examples(raw: dict[str, Any], names: Sequence[str]) -> dict[str, Any]:
    """*raw* without the examples and defaults of the query parameters *names*: the examples
    phase sends a parameter's documented example (29 Next's ``cursor``, say) past every case
    filter."""
    raw = copy.deepcopy(raw)
    parameters = list(raw.get("components", {}).get("parameters", {}).values())
    for item in raw.get("paths", {}).values():
        parameters += item.get("parameters", [])
        parameters += [
            p for op in item.values() if isinstance(op, dict) for p in op.get("parameters", [])
        ]
    for parameter in parameters:
        if parameter.get("in") == "query" and parameter.get("name") in names:
            for holder in (parameter, parameter.get("schema", {})):
                for key in ("example", "examples", "default"):
                    holder.pop(key, None)
    return raw


def _list_config(target: Target, contract: Contract) -> dict[str, Any]:
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
        "headers": headers,
        "checks": {name: {"enabled": False} for name, why in planned(contract).items() if why},
    }
    if pinned:
        config["parameters"] = pinned
    return config


def _token_config(target: Target, document: TokenDocument) -> dict[str, Any]:
    """The token document's run: the bearer only where an operation requires it (Elastic Path's
    shopper logins), the shop pinned as for the list, no redirect followed, and a refused
    made-up credential not counted against a valid request."""
    config: dict[str, Any] = {
        "checks": {
            **{name: {"enabled": False} for name, why in planned(document).items() if why},
            # A schema-valid token request carries a made-up code, client or e-mail, which the
            # server rightly refuses with 400 (RFC 6749 §5.2 `invalid_grant`) as well as 401:
            # the rule Schemathesis applies itself to an operation a schema names as its
            # `tokenUrl` (CREDENTIAL_REJECTION_STATUSES); these documents describe the bearer
            # as an http scheme, so it cannot tell. What such a 400 must hold is checked by
            # `tokens.errors`, the grants with real inputs by `tokens.grant`.
            "positive_data_acceptance": {"expected-statuses": [*_POSITIVE_STATUSES, "400", "422"]},
        },
        # A redirect (29 Next's authorize) is the answer under test; following it would send a
        # request to whatever host a generated `redirect_uri` names.
        "max-redirects": 0,
    }
    # Random shop ids are unknown shops (404): the token endpoint is checked on the known one.
    pinned = {f"path.{name}": target.shop_id for name in document.path_parameters()}
    if pinned:
        config["parameters"] = pinned
    operations = [
        {"include-path": op.route, "headers": target.auth_headers()}
        for op in document.operations.values()
        if op.secured
    ]
    # An authorization endpoint answers a bad parameter by redirecting the error back to a
    # valid redirect URI (`?error=invalid_request`, RFC 6749 §4.1.2.1): that 302 is a refusal.
    operations += [
        {
            "include-path": op.route,
            "checks": {"negative_data_rejection": {"expected-statuses": [*_NEGATIVE, "302"]}},
        }
        for op in document.operations.values()
        if op.documents(302)
    ]
    if operations:
        config["operations"] = operations
    return config


def _rate(per_second: float) -> str:
    if float(per_second).is_integer():
        return f"{int(per_second)}/s"
    return f"{max(1, round(per_second * 60))}/m"
