"""When each series next needs the reminder rule's attention: a heap of due instants.

A tick pops only the series due by then, so its cost grows with the reminders due, not
with the series held (a hosted bot holds 100,000). Setting a series' instant again
leaves its old heap entry behind, to be skipped when it surfaces (a heap cannot remove
from the middle); the heap is rebuilt when such entries outnumber the live ones.
"""

from __future__ import annotations

import datetime as dt
import heapq


class Timeline:
    def __init__(self) -> None:
        self._heap: list[tuple[dt.datetime, str]] = []
        self._due: dict[str, dt.datetime] = {}

    def __len__(self) -> int:
        return len(self._due)

    def set(self, series_id: str, due: dt.datetime | None) -> None:
        """`series_id` is next due at `due`; None: never (no reminders, deleted)."""
        if due is None:
            self._due.pop(series_id, None)
            return
        if self._due.get(series_id) == due:
            return
        self._due[series_id] = due
        heapq.heappush(self._heap, (due, series_id))
        if len(self._heap) > 2 * len(self._due) + 64:
            self._heap = [(when, key) for key, when in self._due.items()]
            heapq.heapify(self._heap)

    def pop_due(self, now: dt.datetime) -> list[str]:
        """The series due at or before `now`, earliest first, taken off the timeline."""
        popped = []
        while self._heap and self._heap[0][0] <= now:
            due, series_id = heapq.heappop(self._heap)
            if self._due.get(series_id) == due:
                del self._due[series_id]
                popped.append(series_id)
        return popped

    def next(self) -> dt.datetime | None:
        """The earliest instant a series is due, if any."""
        while self._heap and self._due.get(self._heap[0][1]) != self._heap[0][0]:
            heapq.heappop(self._heap)
        return self._heap[0][0] if self._heap else None
