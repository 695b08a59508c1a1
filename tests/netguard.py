"""No test reaches the real network: a guard on this process's sockets.

Installed once per test process (``tests/conftest.py``); every test runs under it through an
autouse fixture. A name lookup or a connection to any host that is not loopback (the fake Twilio,
Redis, PostgreSQL and ``resilience serve`` all listen on 127.0.0.1) raises
:class:`RealNetworkBlocked` *before* anything leaves the machine — the lookup is refused before
DNS is asked — and is recorded, so the test fails at teardown even when the code under test
swallows the exception (an SMS sender that marks the message failed and carries on).

What it cannot see: connections made in C libraries (libpq) or in subprocesses (Celery workers,
``resilience serve``, Chromium); those get loopback URLs from the tests' settings.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from typing import Iterator

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


class RealNetworkBlocked(RuntimeError):
    """Not an OSError on purpose: HTTP clients turn OSErrors into retries; this must surface."""


def is_loopback(host) -> bool:
    if host is None:  # getaddrinfo(None, port): the local host
        return True
    if isinstance(host, (bytes, bytearray)):
        host = bytes(host).decode("ascii", "replace")
    host = str(host).strip().strip("[]").lower().rstrip(".")
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


class NetworkGuard:
    def __init__(self):
        self.blocked: list[tuple[str, str, object]] = []
        self.real_getaddrinfo = socket.getaddrinfo
        self.real_gethostbyname = socket.gethostbyname
        self.real_gethostbyname_ex = socket.gethostbyname_ex
        self.real_connect = socket.socket.connect
        self.real_connect_ex = socket.socket.connect_ex
        self.real_sendto = socket.socket.sendto
        self.installed = False

    def _refuse(self, how: str, host, port) -> None:
        self.blocked.append((how, str(host), port))
        raise RealNetworkBlocked(
            f"a test tried to reach {host}:{port} ({how}): tests must not touch the real network "
            "(real SMS!). Point the code at the fake Twilio (tests/fakes/twilio_server.py) or "
            "another server on 127.0.0.1."
        )

    def _check_address(self, how: str, sock, address) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple):
            if not is_loopback(address[0]):
                self._refuse(how, address[0], address[1] if len(address) > 1 else None)

    def install(self) -> None:
        if self.installed:
            return
        guard = self

        def getaddrinfo(host, port, *args, **kwargs):
            if not is_loopback(host):
                guard._refuse("getaddrinfo", host, port)
            return guard.real_getaddrinfo(host, port, *args, **kwargs)

        def gethostbyname(host):
            if not is_loopback(host):
                guard._refuse("gethostbyname", host, None)
            return guard.real_gethostbyname(host)

        def gethostbyname_ex(host):
            if not is_loopback(host):
                guard._refuse("gethostbyname_ex", host, None)
            return guard.real_gethostbyname_ex(host)

        def connect(sock, address):
            guard._check_address("connect", sock, address)
            return guard.real_connect(sock, address)

        def connect_ex(sock, address):
            guard._check_address("connect_ex", sock, address)
            return guard.real_connect_ex(sock, address)

        def sendto(sock, data, *args):
            guard._check_address("sendto", sock, args[-1] if args else None)
            return guard.real_sendto(sock, data, *args)

        socket.getaddrinfo = getaddrinfo
        socket.gethostbyname = gethostbyname
        socket.gethostbyname_ex = gethostbyname_ex
        socket.socket.connect = connect
        socket.socket.connect_ex = connect_ex
        socket.socket.sendto = sendto
        self.installed = True

    def take(self) -> list[tuple[str, str, object]]:
        """The attempts recorded since the last call (and forget them)."""
        taken, self.blocked = self.blocked, []
        return taken

    @contextlib.contextmanager
    def expected(self) -> Iterator[list[tuple[str, str, object]]]:
        """For tests of the guard itself: the attempts inside the block are handed to the test
        (the list is filled when the block ends) instead of failing it."""
        earlier = self.take()
        attempts: list[tuple[str, str, object]] = []
        try:
            yield attempts
        finally:
            attempts.extend(self.take())
            self.blocked = earlier


GUARD = NetworkGuard()
