"""Where every generated id comes from: ``<prefix>_<32 hex>``, random, seeded or sequential."""

from __future__ import annotations

import random
import threading

__all__ = ["IdFactory"]


class IdFactory:
    """Makes ids like ``conv_5ab19d58984940c88a971c6829ae201c``.

    Three modes, switchable at any time (tests pin ids by seeding):

    * ``IdFactory()``: random (like ``uuid4().hex``), the default;
    * ``IdFactory(seed=42)``: a repeatable random sequence, the same on every run;
    * ``IdFactory(sequential=True)``: ``conv_00000000000000000000000000000001``, then ``...02``;
      one counter per prefix, so ids read well in assertions.
    """

    def __init__(self, seed: int | None = None, *, sequential: bool = False) -> None:
        self._lock = threading.Lock()
        self._rng: random.Random = random.Random()
        self._counters: dict[str, int] = {}
        self._sequential = False
        self.seed(seed, sequential=sequential)

    def seed(self, seed: int | None = None, *, sequential: bool = False) -> None:
        """Restart the sequence: seeded (repeatable), sequential, or random when both are off."""
        with self._lock:
            self._sequential = sequential
            self._counters = {}
            self._rng = random.Random(seed) if seed is not None else random.Random()

    def new(self, prefix: str) -> str:
        """A fresh id with ``prefix`` (``"conv"`` -> ``conv_<32 hex>``)."""
        with self._lock:
            if self._sequential:
                n = self._counters.get(prefix, 0) + 1
                self._counters[prefix] = n
                return f"{prefix}_{n:032x}"
            return f"{prefix}_{self._rng.getrandbits(128):032x}"
