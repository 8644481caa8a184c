"""Failed logins counted per client address, so a key cannot be guessed by trying many."""

import collections
import time


class LoginThrottle:
    """At most `failures` failed logins per address within `window_s`; later tries are refused until it passes."""

    def __init__(self, *, failures: int, window_s: float) -> None:
        self.failures, self.window_s = failures, window_s
        self._failed: dict[str, collections.deque[float]] = {}

    def blocked(self, address: str) -> bool:
        """Whether `address` has used up its failed logins for now."""
        recent = self._failed.get(address)
        now = time.monotonic()
        while recent and now - recent[0] > self.window_s:
            recent.popleft()
        return recent is not None and len(recent) >= self.failures

    def failed(self, address: str) -> None:
        """Count a failed login from `address`."""
        if len(self._failed) > 10_000:  # many addresses: forget those whose window has passed
            cutoff = time.monotonic() - self.window_s
            self._failed = {a: d for a, d in self._failed.items() if d and d[-1] > cutoff}
        self._failed.setdefault(address, collections.deque()).append(time.monotonic())
