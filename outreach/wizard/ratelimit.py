"""Budgets of failed attempts per client address, counted in the cache (Redis in production)."""

import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address, read through as many proxies as settings.TRUSTED_PROXY_COUNT says.

    Only the addresses our own proxies appended are trusted; what a client puts in
    X-Forwarded-For itself is ignored.
    """
    address = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            address = forwarded[-hops]
    return address


def _bucket(address: str) -> str:
    # One IPv6 client usually holds a whole /64, so it counts as one address.
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64] or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return str(ip)


class FailureBudget:
    """At most `limit` failures per client address in each fixed window of `window` seconds."""

    def __init__(self, name: str, *, limit: int, window: int):
        self.name = name
        self.limit = limit
        self.window = window

    def exhausted(self, request: HttpRequest) -> bool:
        return (cache.get(self._key(request)) or 0) >= self.limit

    def spend(self, request: HttpRequest) -> int:
        """Count one failure; returns the failures so far in this window."""
        key = self._key(request)
        cache.add(key, 0, timeout=self.window + 5)
        try:
            return cache.incr(key)
        except ValueError:
            # The count expired between add and incr: this failure starts a new one.
            cache.set(key, 1, timeout=self.window + 5)
            return 1

    def retry_after(self) -> int:
        return self.window - int(time.time()) % self.window

    def _key(self, request: HttpRequest) -> str:
        window_number = int(time.time()) // self.window
        return f"failures:{self.name}:{_bucket(client_address(request))}:{window_number}"
