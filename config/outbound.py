"""Outbound connections to addresses users give us (prospect websites, webhooks, mail servers),
refused when they point into our own network."""

import ipaddress
import socket
import typing
from urllib.parse import urlsplit

import httpcore
import httpx
from django.conf import settings

from config.errors import ApplicationError

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=3.0)


class OutboundAddressRefused(ApplicationError):
    status_code = 422


def guard_url(url: str) -> None:
    """Refuse a URL that is not http(s) or whose host resolves to a private address.

    Loopback, private, link-local (cloud metadata), multicast and reserved addresses are refused
    unless settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES is on.
    """
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise OutboundAddressRefused(f"Only http and https addresses can be fetched, not {url!r}.")
    host = parts.hostname
    if not host:
        raise OutboundAddressRefused(f"{url!r} has no host name.")
    if settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES:
        return
    for address in _resolve(host, parts.port or (443 if parts.scheme == "https" else 80)):
        if _is_internal(address):
            raise OutboundAddressRefused(
                f"{host} points to a private or local address ({address}), which is not allowed."
            )


def guard_host(host: str, port: int) -> None:
    """Refuse a host (a mail server) that resolves to a private address, as `guard_url` does."""
    if settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES:
        return
    for address in _resolve(host, port):
        if _is_internal(address):
            raise OutboundAddressRefused(
                f"{host} points to a private or local address ({address}), which is not allowed."
            )


class _PinnedBackend(httpcore.SyncBackend):
    """Connects to an address it has just checked, never to one the host name resolves to later.

    httpcore hands the host name here and keeps it for the TLS server name and the Host header,
    so only the TCP connection is pinned: the name is resolved once, every address it gives is
    checked, and the socket goes to those addresses. A DNS answer that changes between a check
    and the connection (rebinding) cannot reach our own network.
    """

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = checked_addresses(host, port)
        last_error: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        assert last_error is not None  # checked_addresses never answers an empty list
        raise last_error


class PinnedTransport(httpx.HTTPTransport):
    """httpx's transport over `_PinnedBackend`; no proxy from the environment."""

    def __init__(self) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            network_backend=_PinnedBackend(),
        )


def checked_addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Resolve `host` once and answer its addresses, refusing them all if any is internal."""
    addresses = _resolve(host, port)
    if not addresses:
        raise OutboundAddressRefused(f"The host name {host} could not be resolved.")
    if not settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES:
        for address in addresses:
            if _is_internal(address):
                raise OutboundAddressRefused(
                    f"{host} points to a private or local address ({address}), "
                    "which is not allowed."
                )
    return addresses


def outbound_client(
    *,
    timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
    transport: httpx.BaseTransport | None = None,
    headers: dict[str, str] | None = None,
    max_redirects: int = 5,
) -> httpx.Client:
    """An httpx client that checks every request it sends, redirects included, and connects only
    to the addresses it checked (`PinnedTransport`). Tests pass a mock `transport`."""
    return httpx.Client(
        timeout=timeout,
        transport=transport or PinnedTransport(),
        headers=headers,
        follow_redirects=True,
        max_redirects=max_redirects,
        event_hooks={"request": [lambda request: guard_url(str(request.url))]},
    )


def _resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundAddressRefused(f"The host name {host} could not be resolved.") from exc
    addresses = []
    for _family, _type, _proto, _canonical_name, socket_address in infos:
        host_address = socket_address[0]
        if not isinstance(host_address, str):
            # Only a Python built without IPv6 support answers with a raw (family, bytes) pair,
            # which cannot be checked, so it is refused.
            raise OutboundAddressRefused(f"{host} resolves to an address that cannot be checked.")
        addresses.append(ipaddress.ip_address(host_address.split("%")[0]))
    return addresses


def _is_internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )
