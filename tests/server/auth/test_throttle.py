"""Repeated failures from one peer host lock it out for a while; other hosts are untouched."""

from __future__ import annotations

import pytest

from sourcing.server.auth.throttle import FailureThrottle, peer_host


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_lockout_after_max_failures_then_release() -> None:
    """The third failure locks the host out; after lockout_s it may try again."""
    clock = Clock()
    throttle = FailureThrottle(max_failures=3, window_s=60, lockout_s=30, clock=clock)
    for port in (1, 2):
        throttle.failed(f"ipv4:10.0.0.7:{port}")
    assert not throttle.refused("ipv4:10.0.0.7:3")
    throttle.failed("ipv4:10.0.0.7:4")
    assert throttle.refused("ipv4:10.0.0.7:5")
    assert not throttle.refused("ipv4:10.0.0.8:5")
    clock.now += 31
    assert not throttle.refused("ipv4:10.0.0.7:6")


def test_failures_outside_the_window_do_not_add_up() -> None:
    """Failures spread wider than window_s never lock a host out."""
    clock = Clock()
    throttle = FailureThrottle(max_failures=2, window_s=10, lockout_s=30, clock=clock)
    for _ in range(5):
        throttle.failed("ipv6:[::1]:9")
        clock.now += 11
    assert not throttle.refused("ipv6:[::1]:9")


def test_success_clears_the_count() -> None:
    """A good credential in between starts the count again."""
    throttle = FailureThrottle(max_failures=2, window_s=60, lockout_s=30, clock=Clock())
    throttle.failed("ipv4:1.2.3.4:1")
    throttle.succeeded("ipv4:1.2.3.4:2")
    throttle.failed("ipv4:1.2.3.4:3")
    assert not throttle.refused("ipv4:1.2.3.4:4")


@pytest.mark.parametrize(
    ("peer", "host"),
    [
        ("ipv4:10.0.0.7:53122", "ipv4:10.0.0.7"),
        ("ipv6:[::1]:4000", "ipv6:[::1]"),
        ("unix:", "unix:"),
    ],
)
def test_peer_host(peer: str, host: str) -> None:
    """The port is dropped: each new connection has another one."""
    assert peer_host(peer) == host
