"""The address of the person at the other end, seen through the reverse proxies we trust.

Behind nginx every request comes from the proxy's address; the client is in X-Forwarded-For, which the proxy appends to.
Everything left of the last untrusted hop was written by the client and may be forged, so we take the right-most
address that is not one of our proxies (TREEM_TRUSTED_PROXIES: addresses or CIDR ranges; empty = no proxy, use
REMOTE_ADDR). Lock-out, the audit log and the public report form's rate limit all use this one function.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def trusted_networks():
    return _networks(tuple(getattr(settings, "TREEM_TRUSTED_PROXIES", ()) or ()))


def parse_ip(value) -> IPAddress | None:
    """The address in one hop of a header ("1.2.3.4", "1.2.3.4:5678", "[2001:db8::1]:443"), or None if none."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.startswith("["):  # [v6]:port
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # v4:port
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:  # "fe80::1%eth0" is no client address and PostgreSQL's inet refuses it
            return None
        if address.ipv4_mapped:
            return address.ipv4_mapped
    return address


def _trusted(address: IPAddress, networks) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_ip(request) -> str | None:
    """The client's address as text, or None when there is none to be had (never a trusted proxy, never garbage)."""
    if request is None:
        return None
    remote = parse_ip(request.META.get("REMOTE_ADDR"))
    networks = trusted_networks()
    if remote is None or not _trusted(remote, networks):
        return str(remote) if remote is not None else None
    hops = str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
    for hop in reversed(hops):
        address = parse_ip(hop)
        if address is None:
            return None  # a broken chain: what lies left of it cannot be trusted either
        if not _trusted(address, networks):
            return str(address)
    return None  # only our proxies (e.g. the proxy's own health check)
