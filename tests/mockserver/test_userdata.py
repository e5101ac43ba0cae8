"""Your own carts: the data file, its schema and errors, completion under the dataset's rules,
and carts added and removed at run time."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from cartkit import specs
from cartkit.mockserver import MockConfig, create_app
from cartkit.mockserver import userdata as userdata_module
from cartkit.mockserver.app import datasets, startup_dataset
from cartkit.mockserver.completion import extend
from cartkit.mockserver.dataset import DEFAULT_NOW, generate
from cartkit.mockserver.model import STATUSES, Cart
from cartkit.mockserver.userdata import DataError, read, validate
from cartkit.mockserver.vendors import vendor_class

from .conftest import AUTH, assert_conforms
from .test_scenarios import TOTAL, path_of

EXAMPLE = Path(str(resources.files("cartkit.mockserver").joinpath("carts.example.yaml")))
ADA = "3f1c2a4e-8b7d-4c6e-9a5f-0d1e2f3a4b5c"  # the example file's first cart
NOW = int(DEFAULT_NOW.timestamp())
# Where each vendor's rendering spells the cart's UUID (29 Next and ShopiMind use integer ids).
UUID_OF = {
    "elasticpath": lambda cart: cart["id"],
    "epages": lambda cart: cart["cartId"].lower(),
    "stateset": lambda cart: cart["id"].removeprefix("cart_"),
}
CARTS_OF = {
    "shopimind": lambda body: body["data"],
    "nextcommerce": lambda body: body["results"],
    "elasticpath": lambda body: body["data"],
    "epages": lambda body: body["items"],
    "stateset": lambda body: body["data"],
}
OPEN = {"active", "abandoned"}  # 29 Next lists open carts only


def list_all(client: TestClient, vendor: str) -> Any:
    return client.get(path_of(vendor), headers=AUTH[vendor])


@pytest.fixture(scope="module")
def only_the_file() -> TestClient:
    return TestClient(create_app(carts=0, data=EXAMPLE))


# -- the data file ----------------------------------------------------------------------------


def test_the_example_file_follows_the_shipped_schema() -> None:
    entries = read(EXAMPLE)
    assert len(entries) == 4
    assert entries[0]["id"] == ADA


@pytest.mark.parametrize("vendor", specs.VENDORS)
def test_the_files_carts_are_what_every_vendor_lists(
    only_the_file: TestClient, vendor: str
) -> None:
    response = list_all(only_the_file, vendor)
    assert response.status_code == 200, response.text
    assert_conforms(vendor, response)
    served = datasets(only_the_file.app)[vendor].carts  # type: ignore[arg-type]
    assert len(served) == 4
    expected = sum(1 for c in served if vendor != "nextcommerce" or c.status in OPEN)
    assert TOTAL[vendor](response.json()) == expected
    if vendor in UUID_OF:
        listed = {UUID_OF[vendor](cart) for cart in CARTS_OF[vendor](response.json())}
        assert ADA in listed


@pytest.mark.parametrize("vendor", specs.VENDORS)
def test_a_full_entry_is_served_as_written(only_the_file: TestClient, vendor: str) -> None:
    (ada,) = [c for c in datasets(only_the_file.app)[vendor].carts if c.uid == ADA]  # type: ignore[arg-type]
    assert (ada.status, ada.channel, ada.currency, ada.name) == (
        "abandoned",
        "web",
        "USD",
        "Birthday presents",
    )
    assert [(p.sku, p.price, q) for p, q in ada.basket] == [
        ("ADA-0001", 2450, 2),
        ("ADA-0002", 8999, 1),
    ]
    assert (ada.subtotal, ada.discount) == (13899, 1000)
    assert ada.created_at == int(datetime(2026, 1, 14, 9, 30, tzinfo=UTC).timestamp())
    assert ada.customer is not None and ada.customer.email == "ada@example.com"
    assert ada.billing_place is ada.shipping_place  # no shipping address: the billing one
    assert ada.billing_place is not None and ada.billing_place.city == "London"
    assert ada.recovery_status == "email_sent"


def test_an_empty_cart_costs_nothing_and_a_known_customer_is_the_same_one(
    only_the_file: TestClient,
) -> None:
    carts = datasets(only_the_file.app)["stateset"].carts  # type: ignore[arg-type]
    empty = next(c for c in carts if not c.basket)
    assert (empty.subtotal, empty.shipping, empty.tax, empty.total) == (0, 0, 0, 0)
    ada = next(c for c in carts if c.uid == ADA)
    assert empty.customer is ada.customer  # known by e-mail: the same customer


def test_data_and_generated_carts_side_by_side_in_creation_order() -> None:
    served = startup_dataset(MockConfig(carts=50, data=EXAMPLE), "stateset")
    assert len(served) == 54
    assert [c.index for c in served.carts] == list(range(54))
    created = [c.created_at for c in served.carts]
    assert created == sorted(created)
    numbers = [c.number for c in served.carts]
    assert len(set(numbers)) == 54


def test_the_same_file_gives_byte_identical_answers() -> None:
    first = TestClient(create_app(carts=30, data=EXAMPLE, vendors=("stateset", "epages")))
    second = TestClient(create_app(carts=30, data=EXAMPLE, vendors=("stateset", "epages")))
    for vendor in ("stateset", "epages"):
        assert list_all(first, vendor).content == list_all(second, vendor).content


def test_mock_config_takes_a_list_of_dicts() -> None:
    config = MockConfig(vendors=("stateset",), carts=0, data=[{"status": "abandoned"}] * 3)
    client = TestClient(create_app(config))
    body = list_all(client, "stateset").json()
    assert body["total_count"] == 3
    assert {cart["status"] for cart in body["data"]} == {"abandoned"}


def test_yaml_and_json_files(tmp_path: Path) -> None:
    (tmp_path / "carts.json").write_text('{"carts": [{"status": "expired"}]}')
    (tmp_path / "carts.yml").write_text("carts:\n  - status: expired\n")
    assert read(tmp_path / "carts.json") == read(tmp_path / "carts.yml")


# -- refusals -----------------------------------------------------------------------------------

REFUSED = [
    ({"carts": [{"status": "lost"}]}, 0, "status", "is not one of"),
    ({"carts": [{}, {"lines": [{"price": "1.999"}]}]}, 1, "lines[0].price", "at most two decimals"),
    ({"carts": [{"id": "not-a-uuid"}]}, 0, "id", "version-4 UUID"),
    ({"carts": [{"colour": "red"}]}, 0, None, "'colour' was unexpected"),
    ({"carts": [{"customer": None, "guest": {}}]}, 0, "guest", "not both"),
    ({"carts": [{"status": "active", "abandoned_at": "2026-01-01T00:00:00Z"}]}, 0,
     "abandoned_at", "only abandoned carts"),
    ({"carts": [{"created_at": "1969-12-31T23:59:59Z"}]}, 0, "created_at", "from 1970 on"),
    ({"carts": [{"lines": [{"quantity": 0}]}]}, 0, "lines[0].quantity", "minimum of 1"),
    ({"carts": [{"customer": {"email": "nobody"}}]}, 0, "customer.email", "e-mail address"),
    ({"cart": []}, None, None, "'carts' is a required property"),
]  # fmt: skip


@pytest.mark.parametrize(("document", "index", "field", "why"), REFUSED)
def test_a_bad_entry_is_named_with_its_field_and_why(
    document: Any, index: int | None, field: str | None, why: str
) -> None:
    with pytest.raises(DataError) as caught:
        validate(document, "carts.yaml")
    error = caught.value
    assert (error.index, error.field) == (index, field)
    assert why in str(error) and str(error).startswith("carts.yaml: ")


BROKEN_RULES = [
    ({"created_at": "2027-01-01T00:00:00Z"}, "created_at", "after the mock's --now"),
    ({"created_at": "2026-01-02T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"},
     "updated_at", "before created_at"),
    ({"status": "abandoned", "updated_at": "2026-01-10T00:00:00Z",
      "abandoned_at": "2026-01-09T00:00:00Z"}, "abandoned_at", "before updated_at"),
    ({"lines": [{"price": "5.00"}], "discount": "6.00"}, "discount", "more than the lines' sum"),
    ({"customer": {"email": "ada@example.com", "first_name": "Augusta"}},
     "customer.first_name", "differs from the known customer"),
    ({"id": ADA}, "id", "already the id"),
    ({"lines": [{"sku": "NEW-1", "price": "1.00"}, {"sku": "NEW-1", "price": "2.00"}]},
     "lines[1]", "already a product"),
]  # fmt: skip


@pytest.mark.parametrize(("entry", "field", "why"), BROKEN_RULES)
def test_rules_the_schema_cannot_state_are_refused_with_the_entry(
    entry: dict[str, Any], field: str, why: str
) -> None:
    base = startup_dataset(MockConfig(vendors=("stateset",), carts=10, data=EXAMPLE), "stateset")
    validate({"carts": [entry]}, "body")  # the schema has nothing against it
    with pytest.raises(DataError) as caught:
        extend(base, [{}, entry], source="body")
    assert (caught.value.index, caught.value.field) == (1, field)
    assert why in str(caught.value)


def test_a_bad_file_refuses_to_build_the_app(tmp_path: Path) -> None:
    bad = tmp_path / "carts.yaml"
    bad.write_text("carts:\n  - {}\n  - {created_at: '2030-01-01T00:00:00Z'}\n")
    config = MockConfig(vendors=("stateset",), carts=0, data=bad)  # the schema accepts it
    with pytest.raises(DataError, match=r"carts\.yaml: carts\[1\]\.created_at: .* --now"):
        create_app(config)


# -- completion keeps the dataset's rules -----------------------------------------------------

_INSTANTS = st.integers(NOW - 200 * 86_400, NOW).map(
    lambda ts: datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
)
_MONEY = st.integers(0, 99_999).map(lambda cents: f"{cents // 100}.{cents % 100:02d}")
_LINE = st.fixed_dictionaries(
    {},
    optional={
        "sku": st.sampled_from(["MUG-1", "LAMP-2", "TEE-3"]),
        "price": _MONEY,
        "quantity": st.integers(1, 5),
    },
)
_ENTRY = st.fixed_dictionaries(
    {},
    optional={
        "status": st.sampled_from(STATUSES),
        "channel": st.sampled_from(["web", "mobile", "pos", "api"]),
        "currency": st.sampled_from(["USD", "EUR", "CHF"]),
        "created_at": _INSTANTS,
        "updated_at": _INSTANTS,
        "lines": st.lists(_LINE, max_size=4),
        "discount": _MONEY,
        "customer": st.none() | st.fixed_dictionaries({}, optional={"first_name": st.just("Zoë")}),
        "billing_address": st.none()
        | st.fixed_dictionaries({}, optional={"city": st.just("Köln")}),
        "name": st.text(max_size=20),
    },
)


def _holds_the_rules(cart: Cart, market: Any, now: int) -> None:
    assert sum(product.price * quantity for product, quantity in cart.basket) == cart.subtotal
    net = cart.subtotal + cart.shipping - cart.discount
    assert cart.total == (net if market.tax_included else net + cart.tax)
    assert 0 <= cart.discount <= cart.subtotal
    assert cart.created_at <= cart.updated_at <= now
    if cart.status == "abandoned":
        assert cart.abandoned_at is not None and cart.updated_at <= cart.abandoned_at <= now
    else:
        assert cart.abandoned_at is None and cart.recovery_status == "not_attempted"
    if cart.customer is not None:
        assert cart.shopper == (cart.customer.first_name, cart.customer.last_name)
        assert cart.email == cart.customer.email


@pytest.mark.parametrize("vendor", ["stateset", "epages"])  # net and gross markets
@settings(max_examples=60, deadline=None)
@given(entries=st.lists(_ENTRY, min_size=1, max_size=4))
def test_completed_carts_keep_the_datasets_rules(
    vendor: str, entries: list[dict[str, Any]]
) -> None:
    market = vendor_class(vendor).market
    base = generate(market, seed=3, count=20)
    validate({"carts": entries}, "body")
    try:
        served = extend(base, entries, source="body")
    except DataError as exc:  # a rule broken by the entry itself: named, never a crash
        assert exc.index is not None and exc.field, str(exc)
        return
    known = {c.uid for c in served.customers}
    added = served.carts[:0] + [c for c in served.carts if c.key not in {b.key for b in base.carts}]
    assert len(added) == len(entries)
    for cart in served.carts:
        _holds_the_rules(cart, market, served.now)
        assert cart.customer is None or cart.customer.uid in known
    for entry in entries:  # what an entry says is what is served
        matches = [c for c in added if _says(entry, c)]
        assert matches, entry


def _says(entry: dict[str, Any], cart: Cart) -> bool:
    for field in ("status", "channel", "currency", "name"):
        if field in entry and getattr(cart, field) != entry[field]:
            return False
    if "lines" in entry and len(cart.basket) != len(entry["lines"]):
        return False
    return "created_at" not in entry or cart.created_at == int(
        datetime.fromisoformat(entry["created_at"]).timestamp()
    )


# -- at run time -------------------------------------------------------------------------------


@pytest.fixture
def mock() -> TestClient:
    return TestClient(create_app(vendors=("stateset", "elasticpath"), carts=20))


def test_added_carts_are_listed_at_once_and_a_reset_removes_them(mock: TestClient) -> None:
    before = list_all(mock, "stateset")
    assert before.json()["total_count"] == 20
    added = mock.post(
        "/__cartkit/carts",
        json={"carts": [{"status": "abandoned", "name": "Added"}, {"status": "abandoned"}]},
    )
    assert added.status_code == 201, added.text
    assert added.json() == {
        "added": 2,
        "carts": {"stateset": 22, "elasticpath": 22},
        "added_total": 2,
    }
    after = list_all(mock, "stateset")  # the same request: not the remembered answer
    assert after.json()["total_count"] == 22
    summary = after.json()["summary"]["status_breakdown"]
    assert summary["abandoned"] == before.json()["summary"]["status_breakdown"]["abandoned"] + 2
    assert mock.get("/__cartkit/carts").json()["added_total"] == 2
    reset = mock.delete("/__cartkit/carts")
    assert reset.json() == {"carts": {"stateset": 20, "elasticpath": 20}, "added_total": 0}
    assert list_all(mock, "stateset").content == before.content


def test_a_refused_body_names_the_entry_and_changes_nothing(mock: TestClient) -> None:
    before = list_all(mock, "stateset").content
    body = {
        "carts": [{}, {"created_at": "2026-01-02T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}]
    }
    refused = mock.post("/__cartkit/carts", json=body)
    assert refused.status_code == 400
    assert refused.json()["error"]["field"] == "carts[1].updated_at"
    assert "request body: carts[1].updated_at" in refused.json()["error"]["message"]
    assert list_all(mock, "stateset").content == before
    assert mock.get("/__cartkit/carts").json()["added_total"] == 0


def test_the_index_counts_within_the_request_after_earlier_additions(mock: TestClient) -> None:
    assert mock.post("/__cartkit/carts", json={"carts": [{}, {}]}).status_code == 201
    refused = mock.post(
        "/__cartkit/carts", json={"carts": [{"created_at": "2099-01-01T00:00:00Z"}]}
    )
    assert refused.json()["error"]["field"] == "carts[0].created_at"


def test_added_carts_are_bounded(mock: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cartkit.mockserver.admin.MAX_ADDED", 3)
    assert mock.post("/__cartkit/carts", json={"carts": [{}, {}]}).status_code == 201
    refused = mock.post("/__cartkit/carts", json={"carts": [{}, {}]})
    assert refused.status_code == 400 and "At most 3" in refused.json()["error"]["message"]
    assert mock.get("/__cartkit/carts").json()["added_total"] == 2


def test_an_oversized_body_is_refused_before_parsing(mock: TestClient) -> None:
    huge = b'{"carts": [' + b"{}," * (2 * 2**20) + b"{}]}"
    refused = mock.post(
        "/__cartkit/carts", content=huge, headers={"content-type": "application/json"}
    )
    assert refused.status_code == 400 and "larger than" in refused.json()["error"]["message"]


def test_a_customer_added_at_run_time_logs_in_and_sees_their_carts(mock: TestClient) -> None:
    shopper = {"email": "new.shopper@example.com", "first_name": "New", "last_name": "Shopper"}
    body = {"carts": [{"customer": shopper, "status": "active", "name": "Mine"}]}
    assert mock.post("/__cartkit/carts", json=body).status_code == 201
    login = {"type": "token", "authentication_mechanism": "password",
             "email": shopper["email"], "password": "any"}  # fmt: skip
    issued = mock.post(
        "/elasticpath/v2/customers/tokens", json={"data": login}, headers=AUTH["elasticpath"]
    )
    assert issued.status_code == 200, issued.text
    token = issued.json()["data"]["token"]
    mine = mock.get(
        "/elasticpath/v2/carts",
        headers={**AUTH["elasticpath"], "x-moltin-customer-token": token},
    )
    assert mine.status_code == 200, mine.text
    assert [cart["name"] for cart in mine.json()["data"]] == ["Mine"]


def test_the_schema_is_served(mock: TestClient) -> None:
    served = mock.get("/__cartkit/carts.schema.json")
    assert served.json() == userdata_module.schema()
