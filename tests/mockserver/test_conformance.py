"""Schemathesis against the mock, in process: every vendor conforms to its own spec.

All built-in checks, positive and negative generation, the examples, coverage and fuzzing phases.
A failure here means the mock answered something its spec does not allow (or refused something
the spec allows).
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import settings
from schemathesis import GenerationMode

from cartkit import specs
from cartkit.mockserver import create_app

from .conftest import AUTH, TOKEN

MAX_EXAMPLES = 40


def _schema(vendor: str) -> Any:
    # Configured credentials: the ignored-auth check (ST401) needs a mock that, like the real
    # API, rejects credentials it does not know (by default the mock accepts any well-formed one).
    app = create_app(
        vendors=(vendor,),
        at_root=True,
        carts=120,
        token=TOKEN,
        api_key=AUTH["shopimind"]["spm-api-key"],
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    schema.config.seed = 20260115
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=MAX_EXAMPLES,
        # Like the real APIs, the mock ignores query parameters it does not know
        # (schemathesis#3730: extra parameters are otherwise counted as invalid input).
        allow_extra_parameters=False,
    )
    if vendor == "epages":
        # Random valid shop ids are unknown shops (404); conformance is checked on the known one.
        schema.config.update(parameters={"shopId": "DemoShop"})
    return schema


def _conformance_test(vendor: str) -> Any:
    schema = _schema(vendor)
    # Credentials only: Schemathesis generates the other headers itself (a fixed, valid
    # X-29next-API-Version would overwrite the invalid one of a negative case).
    credentials = {k: v for k, v in AUTH[vendor].items() if k != "X-29next-API-Version"}

    @schema.parametrize()
    @settings(deadline=None)
    def test(case: Any) -> None:
        case.call_and_validate(headers=credentials)

    test.__name__ = f"test_{vendor}_conforms_to_its_spec"
    return test


for _vendor in specs.VENDORS:
    globals()[f"test_{_vendor}_conforms_to_its_spec"] = _conformance_test(_vendor)
