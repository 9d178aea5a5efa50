"""Which meeting a channel means: schedules + store + scope + `--meeting` + now.

Commands, the pages and the command line all ask here. The answer is a `Chosen`
(series, occurrence) or a `NoMeeting` that says, in one line, what to do instead:
no caller builds a message or catches an exception to find out.
"""

from __future__ import annotations

import datetime as dt
from bisect import insort
from dataclasses import dataclass

from chatbot.core.channel_binding import split_binding
from chatbot.core.model import Scope
from chatbot.core.recurrence import Occurrence
from chatbot.core.schedule import ScheduleBook, Series
from chatbot.store import Store


@dataclass(frozen=True)
class Chosen:
    series: Series
    occurrence: Occurrence


@dataclass(frozen=True)
class NoMeeting:
    reason: str  # one line, saying what to do instead


class MeetingSelection:
    def __init__(self, schedules: ScheduleBook, store: Store):
        self.schedules = schedules
        self.store = store
        # A schedule may bind a channel by a name other than the id messages carry
        # (a Matrix room alias); adapters record (platform, name) -> id here.
        self.channel_ids: dict[tuple[str, str], str] = {}
        self._index: dict[tuple[str, str], list[Series]] = {}
        self._index_version: tuple | None = None
        self._keys: dict[str, list[tuple[str, str]]] = {}  # series id -> where indexed

    def channel_of(self, series: Series, platform: str) -> str | None:
        """The id of the channel `series` is bound to on `platform`, if any."""
        binding = series.channels.get(platform)
        if binding is None:
            return None
        channel = split_binding(platform, binding)[1]
        return self.channel_ids.get((platform, channel), channel)

    @staticmethod
    def workspace_named(series: Series, platform: str) -> str | None:
        """The workspace the series' binding on `platform` names, if it names one
        (`slack = "T0123/C0456"`, when one bot serves many Slack workspaces)."""
        binding = series.channels.get(platform)
        return split_binding(platform, binding)[0] if binding is not None else None

    def workspace_of_channel(self, platform: str, channel: str) -> str | None:
        """The workspace a binding of this channel names, if any."""
        bound = self._bound(platform, channel)
        return self.workspace_named(bound[0], platform) if bound else None

    def series_in(self, scope: Scope) -> list[Series]:
        """The series bound to a channel (in its workspace, where the binding names one);
        on the console, the only series there is."""
        bound = [s for s in self._bound(scope.platform, scope.channel)
                 if self.workspace_named(s, scope.platform) in (None, scope.workspace)]
        if not bound and scope.platform == "console" and len(self.schedules.series) == 1:
            return list(self.schedules.series)
        return bound

    def _bound(self, platform: str, channel: str) -> list[Series]:
        """The series bound to (platform, channel id), by id, from an index kept up to
        date rather than a scan per command (a hosted bot holds 100,000 series). Under
        the store's lock, the one a command holds throughout (one lock order)."""
        with self.store.transaction(from_first_write=True):
            return list(self._series_by_channel().get((platform, channel), []))

    def _series_by_channel(self) -> dict[tuple[str, str], list[Series]]:
        """(platform, channel id) -> its series. Rebuilt when the adapter's alias ids
        change; otherwise only the series the book says changed are indexed again (a
        `SeriesBook`; a plain `ScheduleBook`'s list is indexed again when it is new)."""
        aliases = frozenset(self.channel_ids.items())
        changes_since = getattr(self.schedules, "changes_since", None)
        if changes_since is None:
            series = self.schedules.series
            generation, changed = id(series), None
        else:
            seen = self._index_version[0] if self._index_version else 0
            generation, changed = changes_since(seen)
        if self._index_version is None or self._index_version[1] != aliases or (
                changed is None and self._index_version[0] != generation):
            self._index, self._keys = {}, {}
            for one in self.schedules.series:
                self._add(one)
        elif changed:
            for series_id in changed:
                self._remove(series_id)
                if (one := self.schedules.get(series_id)) is not None:
                    self._add(one)
        self._index_version = (generation, aliases)
        return self._index

    def _add(self, series: Series) -> None:
        keys = [(platform, self.channel_of(series, platform)) for platform in series.channels]
        for key in keys:
            insort(self._index.setdefault(key, []), series, key=lambda one: one.id)
        self._keys[series.id] = keys

    def _remove(self, series_id: str) -> None:
        for key in self._keys.pop(series_id, []):
            kept = [one for one in self._index.get(key, []) if one.id != series_id]
            if kept:
                self._index[key] = kept
            else:
                self._index.pop(key, None)

    def has_ended(self, scope: Scope, series_id: str, occurrence: Occurrence) -> bool:
        record = self.store.meetings.get(scope, series_id, occurrence.key.isoformat())
        return record is not None and record.ended_at is not None

    def next_not_ended(self, scope: Scope, series: Series, now: dt.datetime
                       ) -> Occurrence | None:
        """The next occurrence, skipping one already held early (started and ended)."""
        following = series.recurrence.next_after(now)
        while following is not None and self.has_ended(scope, series.id, following):
            following = series.recurrence.next_after(following.start_utc)
        return following

    def choose(self, scope: Scope, pick: str | None, now: dt.datetime) -> Chosen | NoMeeting:
        """The meeting started with /meeting start, else the one in progress, else the
        next one not already held; among the channel's series, or the one picked."""
        candidates = self.series_in(scope)
        if pick is not None:
            chosen = [s for s in candidates if s.id == pick]
            if not chosen:
                ids = ", ".join(s.id for s in candidates) or "none"
                return NoMeeting(f"No meeting '{pick}' in this channel (its meetings: {ids}).")
            candidates = chosen
        if not candidates:
            return NoMeeting(
                "No meeting is scheduled for this channel. Bind one in its schedule file: "
                f'[channels] {scope.platform} = "{scope.channel}".'
            )
        # A meeting started with /meeting start wins, whatever the clock says (it may start
        # early or run late); one already ended no longer counts as in progress.
        started = {m.series: m for m in self.store.meetings.in_progress(scope)}
        for series in candidates:
            if series.id in started:
                key = dt.date.fromisoformat(started[series.id].occurrence)
                return Chosen(series, series.occurrence_on_day(key))
        for series in candidates:
            current = series.in_progress(now)
            if current is not None and not self.has_ended(scope, series.id, current):
                return Chosen(series, current)
        upcoming = [
            Chosen(s, o) for s in candidates if (o := self.next_not_ended(scope, s, now))
        ]
        if not upcoming:
            return NoMeeting(
                f"{candidates[0].name} has no upcoming meeting; add dates to its schedule file."
            )
        return min(upcoming, key=lambda chosen: chosen.occurrence.start_utc)
