"""Rate limits keyed by an address a client cannot choose (issue 9 §3.1).

Forwarding headers are believed only from ``GARDIEN_TRUSTED_PROXIES``; ``gardien serve`` does
not let uvicorn believe them on its own (its default trusts X-Forwarded-For from 127.0.0.1);
IPv6 clients share a limit per /64.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.requests import Request

from gardien.cli import serve as serve_command
from gardien.errors import UsageError
from gardien.server.client import client_address, limit_key
from gardien.server.ratelimit import Limits, RateLimiter
from gardien.settings import Settings
from tests.api.conftest import EXAMPLE
from tests.web.server import serve


def _request(peer: str, headers: dict[str, str] | list[tuple[str, str]]) -> Request:
    pairs = list(headers.items()) if isinstance(headers, dict) else headers
    return Request(
        {
            "type": "http",
            "method": "GET",
            "path": "/",
            "headers": [(k.lower().encode(), v.encode()) for k, v in pairs],
            "client": (peer, 40000),
        }
    )


SPOOF = {
    "X-Forwarded-For": "198.51.100.7",
    "Forwarded": "for=198.51.100.8",
    "X-Real-IP": "198.51.100.9",
}


def test_without_trusted_proxies_no_forwarding_header_changes_the_address() -> None:
    settings = Settings()
    assert client_address(_request("203.0.113.5", SPOOF), settings) == "203.0.113.5"
    assert client_address(_request("127.0.0.1", SPOOF), settings) == "127.0.0.1"


def test_a_spoofed_header_from_a_peer_that_is_not_a_trusted_proxy_is_ignored() -> None:
    settings = Settings(trusted_proxies="10.0.0.1")
    assert client_address(_request("203.0.113.5", SPOOF), settings) == "203.0.113.5"


def test_behind_a_trusted_proxy_the_client_is_the_hop_the_proxy_added() -> None:
    settings = Settings(trusted_proxies="10.0.0.0/24, 10.0.1.1")
    # The client wrote "1.1.1.1" itself; the proxies appended the address they saw.
    request = _request("10.0.0.3", {"X-Forwarded-For": "1.1.1.1, 203.0.113.5, 10.0.1.1"})
    assert client_address(request, settings) == "203.0.113.5"


def test_only_the_configured_header_is_read_from_the_proxy() -> None:
    xff = Settings(trusted_proxies="10.0.0.1")
    forwarded = Settings(trusted_proxies="10.0.0.1", proxy_header="Forwarded")
    real_ip = Settings(trusted_proxies="10.0.0.1", proxy_header="x-real-ip")
    request = _request("10.0.0.1", SPOOF)
    assert client_address(request, xff) == "198.51.100.7"
    assert client_address(request, forwarded) == "198.51.100.8"
    assert client_address(request, real_ip) == "198.51.100.9"
    # A proxy that sets X-Forwarded-For but passes a client's Forwarded through: not read.
    assert client_address(_request("10.0.0.1", {"Forwarded": "for=1.2.3.4"}), xff) == "10.0.0.1"


def test_forwarded_hops_with_ports_quotes_and_ipv6_are_read() -> None:
    settings = Settings(trusted_proxies="10.0.0.1", proxy_header="forwarded")
    request = _request(
        "10.0.0.1", {"Forwarded": 'for=1.2.3.4, for="[2001:db8:cafe::17]:4711";proto=https'}
    )
    assert client_address(request, settings) == "2001:db8:cafe::17"
    xff = Settings(trusted_proxies="10.0.0.1")
    assert client_address(_request("10.0.0.1", {"X-Forwarded-For": "203.0.113.5:5555"}), xff) == (
        "203.0.113.5"
    )


def test_a_hop_that_is_not_an_address_leaves_the_proxy_s_own() -> None:
    settings = Settings(trusted_proxies="10.0.0.1")
    request = _request("10.0.0.1", {"X-Forwarded-For": "unknown"})
    assert client_address(request, settings) == "10.0.0.1"


def test_an_unusable_trusted_proxies_setting_names_the_variable() -> None:
    with pytest.raises(UsageError, match=r"GARDIEN_TRUSTED_PROXIES.*'proxy\.example'"):
        Settings.from_environment({"GARDIEN_TRUSTED_PROXIES": "10.0.0.1, proxy.example"})


def test_two_ipv6_addresses_in_one_slash_64_share_a_limit() -> None:
    limiter = RateLimiter(limits=Limits(verify="2/hour"))
    assert limit_key("2001:db8:1:2::1") == limit_key("2001:db8:1:2:ffff:ffff:ffff:ffff")
    assert limiter.allow("verify", "2001:db8:1:2::1")
    assert limiter.allow("verify", "2001:db8:1:2:aaaa:bbbb:cccc:dddd")
    assert not limiter.allow("verify", "2001:db8:1:2::99")
    assert limiter.allow("verify", "2001:db8:1:3::1")  # the next /64 is someone else
    assert limit_key("::ffff:203.0.113.5") == "203.0.113.5"


@pytest.fixture
def served_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``gardien serve`` run with uvicorn.run replaced: the app and the options it passes."""
    systems = f"sqlite:///{tmp_path / 'systems.db'}"
    monkeypatch.setenv("IMA_PROTECT_CRM_URL", systems)
    monkeypatch.setenv("IMA_PROTECT_TELEPHONY_URL", systems)
    monkeypatch.setenv("GARDIEN_OUTBOX", str(tmp_path / "outbox"))
    monkeypatch.setenv("GARDIEN_REGISTRY", str(EXAMPLE))
    monkeypatch.setenv("GARDIEN_DATABASE_URL", f"sqlite:///{tmp_path / 'gardien.db'}")
    captured: list[tuple[FastAPI, dict[str, Any]]] = []

    def run(app: FastAPI, **options: Any) -> None:
        captured.append((app, options))

    monkeypatch.setattr("uvicorn.run", run)

    def start(**environment: str) -> tuple[FastAPI, dict[str, Any]]:
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        serve_command.serve(host="127.0.0.1", port=8000, log_level="warning")
        app, options = captured.pop()
        return app, {k: v for k, v in options.items() if k not in ("host", "port")}

    yield start


def _pages_answered(app: FastAPI, options: dict[str, Any], forwarded: list[str]) -> list[int]:
    app.state.rate_limiter = RateLimiter(limits=Limits(pages="2/minute"))
    with serve(app, **options) as base:
        return [
            httpx.get(f"{base}/request?lang=en", headers={"X-Forwarded-For": hop}).status_code
            for hop in forwarded
        ]


def test_gardien_serve_ignores_a_spoofed_x_forwarded_for_from_loopback(served_options: Any) -> None:
    app, options = served_options()
    # Each request claims another address; all come from 127.0.0.1, which is no trusted proxy.
    statuses = _pages_answered(app, options, ["198.51.100.1", "198.51.100.2", "198.51.100.3"])
    assert statuses == [200, 200, 429]


def test_gardien_serve_believes_a_trusted_proxy(served_options: Any) -> None:
    app, options = served_options(GARDIEN_TRUSTED_PROXIES="127.0.0.1")
    statuses = _pages_answered(app, options, ["198.51.100.1", "198.51.100.2", "198.51.100.3"])
    assert statuses == [200, 200, 200]  # three visitors behind the proxy, each under the limit
