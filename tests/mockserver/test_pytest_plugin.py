"""The pytest plugin (``mockserver/pytest_plugin.py``): a running mock for a consumer's tests.

The fixture is run as a consumer runs it, in a pytest of its own (``pytester``); the helpers
behind it (ports, start and stop by PID, the admin calls' headers) are checked directly.
"""

from __future__ import annotations

import os
import socket
import time

import pytest

from cartkit.mockserver import MockConfig, pytest_plugin
from cartkit.mockserver.app import startup_dataset
from cartkit.mockserver.pytest_plugin import RunningMock, free_port, stop

pytest_plugins = ["pytester"]


def test_pytest_fixture_gives_a_running_mock(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import httpx, pytest
        from cartkit.mockserver import MockConfig

        @pytest.fixture(scope="session")
        def cartkit_mock_config():
            return MockConfig(vendors=("stateset",), carts=40, seed=9)

        def test_client_code(cartkit_mock):
            url = cartkit_mock.url("stateset") + "/v1/carts"
            body = httpx.get(url, params={"status": "abandoned", "limit": 100},
                             headers={"Authorization": "Bearer x"}).json()
            expected = [c for c in cartkit_mock.dataset("stateset").carts if c.status == "abandoned"]
            assert body["total_count"] == len(expected) > 0
            assert cartkit_mock.seed == 9
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_the_fixture_switches_scenarios_and_reads_the_journal(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import httpx, pytest
        from cartkit.mockserver import MockConfig

        @pytest.fixture(scope="session")
        def cartkit_mock_config():
            return MockConfig(vendors=("stateset",), carts=30)

        def test_an_app_under_test(cartkit_mock):
            url = cartkit_mock.url("stateset") + "/v1/carts"
            cartkit_mock.scenario("empty", "stateset")
            body = httpx.get(url, params={"status": "active"},
                             headers={"Authorization": "Bearer sk_x"}).json()
            assert body["total_count"] == 0
            (sent,) = cartkit_mock.requests("stateset")
            assert sent["query"] == "status=active" and sent["scenario"] == "empty"
            assert sent["headers"]["authorization"] == "Bearer ***"
            cartkit_mock.clear_requests()
            cartkit_mock.scenario("default")
            assert cartkit_mock.requests() == []

        def test_own_carts(cartkit_mock):
            url = cartkit_mock.url("stateset") + "/v1/carts"
            auth = {"Authorization": "Bearer sk_x"}
            def expired():
                params = {"status": "expired"}
                return httpx.get(url, params=params, headers=auth).json()["total_count"]

            before = expired()
            assert cartkit_mock.add_carts([{"status": "expired"}]) == {"stateset": 31}
            assert expired() == before + 1
            with pytest.raises(ValueError, match="carts\\[0\\].status"):
                cartkit_mock.add_carts([{"status": "lost"}])
            cartkit_mock.reset_carts()
            assert httpx.get(url, headers=auth).json()["total_count"] == 30
            assert len(cartkit_mock.dataset("stateset")) == 30
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_running_mock_urls() -> None:
    mock = RunningMock(base_url="http://127.0.0.1:1", config=MockConfig(), pid=0)
    assert mock.url("epages") == "http://127.0.0.1:1/epages"
    alone = RunningMock("http://127.0.0.1:1", MockConfig(vendors=("epages",), at_root=True), 0)
    assert alone.url("epages") == "http://127.0.0.1:1"  # served at its real root path


def test_a_free_port_can_be_bound_on_loopback() -> None:
    port = free_port()
    assert 1024 <= port <= 65535
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))  # free right now: nobody holds it


def test_the_seed_and_the_admin_header_come_from_the_config() -> None:
    mock = RunningMock("http://127.0.0.1:1", MockConfig(seed=42, admin_token="adm"), pid=0)
    assert mock.seed == 42
    assert mock._admin() == {"Authorization": "Bearer adm"}
    assert RunningMock("http://127.0.0.1:1", MockConfig(), pid=0)._admin() == {}


def test_the_dataset_is_the_start_up_dataset_built_once() -> None:
    config = MockConfig(vendors=("stateset",), carts=15, seed=3)
    mock = RunningMock("http://127.0.0.1:1", config, pid=0)
    dataset = mock.dataset("stateset")
    assert dataset.carts == startup_dataset(config, "stateset").carts
    assert mock.dataset("stateset") is dataset  # rebuilt once per session, not per call


def spawn(*command: str) -> int:
    """A child process of this test (its PID), without a Popen object to reap it."""
    return os.posix_spawn(command[0], list(command), dict(os.environ))


def test_stop_terminates_and_reaps_the_process() -> None:
    pid = spawn("/bin/sleep", "60")
    started = time.monotonic()
    stop(RunningMock("http://127.0.0.1:1", MockConfig(), pid))
    assert time.monotonic() - started < 5
    with pytest.raises(ChildProcessError):  # reaped: no zombie left behind
        os.waitpid(pid, os.WNOHANG)


def test_stopping_a_process_that_is_gone_is_quiet() -> None:
    pid = spawn("/bin/true")
    os.waitpid(pid, 0)
    stop(RunningMock("http://127.0.0.1:1", MockConfig(), pid))  # no ProcessLookupError


def test_start_reports_a_mock_that_exits_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pytest_plugin.sys, "executable", "/bin/false")  # exits at once with 1
    with pytest.raises(RuntimeError, match="exited with status 1 at start-up"):
        pytest_plugin.start(MockConfig(vendors=("stateset",), carts=5))
