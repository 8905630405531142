"""``client_address(request, settings)``: who is on the other end, as far as it can be known.

The one place the server decides a client's address (issue 9 §3): the rate limits of the
portal and of the back office sign-in are keyed by it, and the audit trail records it. A
forwarding header (``X-Forwarded-For``, ``Forwarded``, ``X-Real-IP``) is something anybody can
send, so it is read only when the connection comes from a proxy listed in
``GARDIEN_TRUSTED_PROXIES`` (empty by default: no header is ever read), and then only the one
header ``GARDIEN_PROXY_HEADER`` names (the one the proxy sets; reading another would let a
client add it). The chain is read from the right, skipping the listed proxies: the first hop
that is not one of them is the client, whatever a client wrote further left. This is what
uvicorn's ``--forwarded-allow-ips`` does; ``gardien serve`` turns uvicorn's own reading off so
that there is only this one.

IPv6 clients are limited per /64 (``limit_key``): one subscriber line or host usually holds a
whole /64, and rotating addresses inside it must not reset a limit.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.requests import Request

from gardien.settings import Network, Settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

UNKNOWN = "unknown"
IPV6_PREFIX = 64


def _address(text: str) -> Address | None:
    """One hop as a header writes it: ``1.2.3.4``, ``1.2.3.4:5678``, ``[2001:db8::1]:80``,
    ``"[2001:db8::1]"`` (RFC 7239 quotes), or something else (``unknown``, ``_hidden``)."""
    text = text.strip().strip('"').strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else text[1:]
    elif text.count(":") == 1:  # an IPv4 address with its port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _hops(request: Request, header: str) -> list[str]:
    """The hops the header lists, left (first client) to right (the last proxy's peer)."""
    values = request.headers.getlist(header)
    if header == "x-real-ip":
        return [values[-1]] if values else []
    hops: list[str] = []
    for value in values:
        for part in value.split(","):
            if header == "forwarded":
                # RFC 7239: "for=192.0.2.60;proto=http;by=203.0.113.43"
                found = ""
                for pair in part.split(";"):
                    key, _, raw = pair.partition("=")
                    if key.strip().lower() == "for":
                        found = raw
                hops.append(found)
            else:
                hops.append(part)
    return hops


def _trusted(address: Address, proxies: Sequence[Network]) -> bool:
    return any(address in network for network in proxies)


def resolve(peer: str | None, hops: Sequence[str], proxies: Sequence[Network]) -> str:
    """The client's address: the peer, unless it is a trusted proxy; then the rightmost hop
    that is not a trusted proxy. A hop that is not an address stops the walk at the proxy
    that wrote it: its own address is the best that can be known."""
    current = _address(peer) if peer else None
    if current is None:
        return peer or UNKNOWN
    for hop in reversed(hops):
        if not _trusted(current, proxies):
            break
        previous = _address(hop)
        if previous is None:
            break
        current = previous
    return str(current)


def client_address(request: Request, settings: Settings) -> str:
    """The address of the client of ``request`` (see the module's docstring)."""
    peer = request.client.host if request.client else None
    proxies = settings.proxies
    if not proxies:
        return resolve(peer, (), ())
    return resolve(peer, _hops(request, settings.proxy_header), proxies)


def limit_key(address: str) -> str:
    """What a rate limit counts: the IPv4 address, or the /64 an IPv6 address is in."""
    parsed = _address(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network(f"{parsed}/{IPV6_PREFIX}", strict=False))
    return str(parsed) if parsed is not None else address
