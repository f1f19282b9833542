"""What a process keeps between requests: a bounded map, the least recently used entry dropped first.

For values that are a function of their key alone — a part of a page drawn from everything it shows, a poll's
results under the version its votes carry — so that nothing has to be invalidated: a change makes a new key, and the
old entry is never asked for again and ages out. Never for anything whose key does not hold all it depends on."""

import threading
from collections import OrderedDict


class Kept:
    """A thread-safe LRU map of at most `size` entries (gunicorn's threads share a process's entries)."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, default=None):
        with self._lock:
            try:
                self._entries.move_to_end(key)
            except KeyError:
                return default
            return self._entries[key]

    def put(self, key, value) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
