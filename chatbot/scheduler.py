"""Reminders: which are due, claiming them exactly once, and APScheduler wiring.

`Reminders.tick(now)` is the whole rule and is what tests drive with a
controlled clock; `ReminderScheduler` only decides *when* to call it. The job
store is APScheduler's in-memory one, rebuilt from the schedule files and the
database at every start (a shared or pickled job store would be a second
source of truth; the claims table is the only one).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Protocol

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from chatbot.commands import Bot, Reply
from chatbot.core.model import Scope, User
from chatbot.core.recurrence import Occurrence
from chatbot.core.reminder import Reminder, compose_reminder
from chatbot.core.schedule import Series
from chatbot.core.timefmt import long_date, long_datetime
from chatbot.digest import SENT_WITHIN, absentees, digest, recently_ended
from chatbot.meeting_roles import roles_said
from chatbot.meeting_view import gather
from chatbot.reminder_timeline import Timeline
from chatbot.store import ReminderKey, Store
from chatbot.todo_age import marked, owners_note, stale_since

log = logging.getLogger(__name__)

# A reminder is still worth posting this long after its due time if the meeting
# has not begun; the "starting now" one gets this much slack after the start.
START_GRACE = dt.timedelta(minutes=2)
# A claim not finished within this long belongs to a process that died.
CLAIM_LEASE = dt.timedelta(minutes=5)
RESCAN_SECONDS = 30
RETRY_SECONDS = 5


Compose = Callable[[], Reminder]


class ReminderTarget(Protocol):
    """What an adapter provides to deliver reminders on its platform.

    Both take `compose` rather than a finished reminder and call it at the moment they
    post, so the reminder shows the agenda and TODOs as they are then (not as they were
    when the tick began). Both raise when the post did not happen."""

    platform: str
    workspace: str

    def post_reminder(self, channel: str, compose: Compose) -> None: ...

    def send_direct(self, user: User, compose: Compose) -> None: ...

    def post_notice(self, channel: str, notice: Reply) -> None:
        """One line instead of a skipped meeting's reminders."""

    def send_direct_notice(self, user: User, notice: Reply) -> None:
        """A direct message that is no reminder: the digest of a missed meeting."""


@dataclass(frozen=True)
class Delivery:
    series: str
    occurrence: str
    offset: dt.timedelta
    channel: str


def offset_minutes(offset: dt.timedelta) -> int:
    return int(offset.total_seconds() // 60)


CLAIMED, SENT, DROPPED = "claimed", "sent", "dropped"
POSTED, FAILED, TAKEN = "posted", "failed", "taken"  # what became of one post


def _earliest(*instants: dt.datetime | None) -> dt.datetime | None:
    return min((instant for instant in instants if instant is not None), default=None)


class ReminderClaims:
    """Each reminder is posted exactly once across restarts and processes: a row per
    due reminder, claimed by one process (`owner`) before it posts, then marked sent;
    one missed while the bot was down is recorded as dropped instead."""

    def __init__(self, store: Store, owner: str):
        self.rows = store.reminder_claims
        self.store = store
        self.owner = owner

    def claim(self, key: ReminderKey, now: str, stale_before: str) -> bool:
        """True if this process may post the reminder now. A claim whose owner died
        without finishing (claimed before `stale_before`) can be taken over."""
        with self.store.transaction():
            row = self.rows.get(key)
            if row is None:
                self.rows.insert(key, state=CLAIMED, owner=self.owner, claimed_at=now)
                return True
            if row["state"] == CLAIMED and row["claimed_at"] < stale_before:
                self.rows.update(key, owner=self.owner, claimed_at=now)
                return True
            return False

    def mark_sent(self, key: ReminderKey, now: str) -> None:
        self.rows.update(key, state=SENT, finished_at=now)

    def drop(self, key: ReminderKey, now: str) -> None:
        """Record that an older reminder, missed while the bot was down, is not sent."""
        self.rows.insert(key, if_absent=True, state=DROPPED, finished_at=now)

    def release(self, key: ReminderKey) -> None:
        """Give a claim back after a failed post, so it is tried again."""
        with self.store.transaction():
            row = self.rows.get(key)
            if row is not None and row["state"] == CLAIMED and row["owner"] == self.owner:
                self.rows.delete(key)

    def release_all(self) -> None:
        """On shutdown: nothing is left half-claimed."""
        self.rows.delete_owned(self.owner, CLAIMED)

    def settled(self, platform: str, since_occurrence: str) -> set[ReminderKey]:
        """Reminders already sent or dropped, for occurrences on or after a date: one
        query for a walk of every series instead of a write transaction per due reminder."""
        return self.rows.keys_in_states(platform, since_occurrence, (SENT, DROPPED))

    def settled_of(self, platform: str, series: str, since_occurrence: str
                   ) -> set[ReminderKey]:
        """`settled` for one series."""
        return self.rows.keys_of_series(platform, series, since_occurrence, (SENT, DROPPED))


class Reminders:
    def __init__(self, bot: Bot, target: ReminderTarget, owner: str | None = None):
        self.bot = bot
        self.target = target
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.claims = ReminderClaims(bot.store, self.owner)
        self.failed = False  # a post failed during the last tick: retry soon
        self.next_due_at: dt.datetime | None = None
        self.timeline = Timeline()  # each series' next due instant, built by the first tick
        self._generation = 0  # of the series book, as the timeline last saw it
        self._retry: set[str] = set()  # series whose post failed: walked at the next tick
        self._digests_after: dt.datetime | None = None  # meetings ended before: looked at
        # Set on shutdown: a tick in progress (the catch-up after downtime) stops at the
        # next series; what it did not reach is posted at the next start.
        self.stopping = threading.Event()

    def scope(self, series: Series) -> Scope | None:
        channel = self.bot.channel_of(series, self.target.platform)
        # The binding may name the workspace (one bot installed in many Slack workspaces).
        workspace = (self.bot.workspace_named(series, self.target.platform)
                     or self.target.workspace)
        if channel is None or not workspace:
            return None
        return Scope(self.target.platform, workspace, channel)

    def key(self, series: Series, occurrence: Occurrence, offset: dt.timedelta) -> ReminderKey:
        return ReminderKey(self.target.platform, series.id, occurrence.key.isoformat(),
                           offset_minutes(offset))

    # -- what is due --------------------------------------------------------

    @staticmethod
    def _walk(series: Series, now: dt.datetime
              ) -> tuple[list[tuple[Occurrence, list[dt.timedelta]]], dt.datetime | None]:
        """One pass over a series' coming occurrences: those with reminders already
        due (meeting not begun, give or take START_GRACE) and the next due time.

        It stops as soon as a later occurrence cannot have an earlier reminder, so
        most series cost one or two lookups whatever their age or window."""
        longest = max(series.reminders)
        due_now: list[tuple[Occurrence, list[dt.timedelta]]] = []
        soonest: dt.datetime | None = None
        for occurrence in Reminders._occurrences(series, now - START_GRACE):
            start = occurrence.start_utc
            if soonest is not None and start - longest >= soonest:
                break
            passed = [o for o in series.reminders if start - o <= now]
            if passed:
                due_now.append((occurrence, passed))
            ahead = [start - o for o in series.reminders if start - o > now]
            if ahead and (soonest is None or min(ahead) < soonest):
                soonest = min(ahead)
        return due_now, soonest

    @staticmethod
    def _occurrences(series: Series, after: dt.datetime) -> Iterator[Occurrence]:
        """Occurrences after `after`, lazily; the first two in one lookup (the walk
        above rarely needs a third)."""
        first_two = series.recurrence.upcoming(after, 2)
        yield from first_two
        last = first_two[-1] if len(first_two) == 2 else None
        while last is not None:
            last = series.recurrence.next_after(last.start_utc)
            if last is not None:
                yield last

    def _reminded_series(self) -> Iterator[tuple[Series, Scope]]:
        for series in self.bot.schedules.series:
            scope = self.scope(series)
            if scope is not None and series.reminders:
                yield series, scope

    def tick(self, now: dt.datetime) -> list[Delivery]:
        """Post every reminder due at `now` that nobody has posted yet, and note
        when the next one is due (`next_due_at`).

        Per occurrence only the latest due reminder is posted: after downtime the
        team gets one reminder, not the whole backlog; older ones are dropped.

        The first tick (the catch-up at start) walks every series and puts each on the
        timeline at its next due instant; later ticks walk only the series due by now,
        those changed since (a file edited, a series made, edited or deleted in chat, a
        meeting skipped or moved) and those whose post failed.
        """
        delivered: list[Delivery] = []
        self.failed = False
        book = self.bot.schedules
        self._generation, changed = book.changes_since(self._generation)
        since = (now - dt.timedelta(days=2)).date().isoformat()
        if changed is None:
            self.timeline = Timeline()
            walk = [(series.id, series) for series in book.series]
            # One query each for every series, instead of one per series.
            settled = self.claims.settled(self.target.platform, since)
            skips = self.bot.store.occurrence_changes.skipped_by_series(since)
        else:
            walk = [(series_id, book.get(series_id)) for series_id in
                    sorted(changed | self._retry | set(self.timeline.pop_due(now)))]
            settled, skips = None, None
        self._retry = set()
        for series_id, series in walk:
            if self.stopping.is_set():
                break
            due = (self._attend(series, now, since, settled, skips, delivered)
                   if series is not None else None)
            self.timeline.set(series_id, due)
        self._send_digests(now)
        self.next_due_at = self.timeline.next()
        return delivered

    def _attend(self, series: Series, now: dt.datetime, since: str,
                settled: set[ReminderKey] | None, skips: dict[str, list[dict]] | None,
                delivered: list[Delivery]) -> dt.datetime | None:
        """Post what of `series` is due at `now`; when it is due next (None: never)."""
        if not series.reminders or series.channels.get(self.target.platform) is None:
            return None
        # The walk expands the rule (a few KB): on a copy, dropped after, so that a walk
        # of every series (the catch-up) does not leave 100,000 expansions behind.
        series = replace(series, recurrence=replace(series.recurrence))
        due_now, soonest = self._walk(series, now)
        scope = self.scope(series)
        skipped = (skips.get(series.id, []) if skips is not None else
                   self.bot.store.occurrence_changes.skipped(series.id, since))
        if scope is None:  # no workspace known yet: looked at again when next due
            return _earliest(soonest, *(due for _, due, _ in self._skipped(series, skipped)))
        if settled is None and (due_now or skipped):
            settled = self.claims.settled_of(self.target.platform, series.id, since)
        for occurrence, passed in due_now:
            latest = min(passed)
            for older in passed:
                key = self.key(series, occurrence, older)
                if older != latest and key not in settled:
                    self.claims.drop(key, now.isoformat())
            if self.key(series, occurrence, latest) in settled:
                continue
            if self._skipped_for_empty_agenda(series, scope, occurrence, latest, now):
                skipped = self.bot.store.occurrence_changes.skipped(series.id, since)
                continue
            outcome = self._deliver(series, scope, occurrence, latest, now)
            if outcome == POSTED:
                delivered.append(Delivery(series.id, occurrence.key.isoformat(), latest,
                                          scope.channel))
            elif outcome == FAILED:
                self._retry.add(series.id)
            elif outcome == TAKEN:  # look again once a dead owner's claim may be taken over
                soonest = _earliest(soonest, now + CLAIM_LEASE)
        return _earliest(soonest, self._tell_skipped(series, scope, now, settled or set(),
                                                     skipped))

    def _send_digests(self, now: dt.datetime) -> None:
        """Once a meeting ended, each member who missed it gets its digest, once.

        One query for the meetings ended since the last tick (at start: within
        SENT_WITHIN), whatever the number of series."""
        after = now - SENT_WITHIN
        if self._digests_after is not None and self._digests_after <= now:
            after = max(after, self._digests_after - CLAIM_LEASE)
        self._digests_after = now
        for workspace, channel, series_id, occurrence in self.bot.store.meetings.ended_between(
                after.isoformat(), now.isoformat()):
            series = self.bot.schedules.get(series_id)
            scope = self.scope(series) if series is not None else None
            if scope is None or (scope.workspace, scope.channel) != (workspace, channel):
                continue
            record = recently_ended(self.bot.store, scope, series, now)
            if record is None or record.occurrence != occurrence:
                continue
            key = ReminderKey(self.target.platform, series.id, record.occurrence, DIGEST)
            if self.claims.rows.state(key) in (SENT, DROPPED) or not self.claims.claim(
                    key, now.isoformat(), (now - CLAIM_LEASE).isoformat()):
                continue
            for user in absentees(self.bot.store, scope, series, record.occurrence):
                try:
                    self.target.send_direct_notice(user, digest(self.bot, scope, series,
                                                                record, user, now))
                except Exception:
                    log.exception("the digest for %s failed", user.id)
            self.claims.mark_sent(key, now.isoformat())

    # -- skipped meetings ---------------------------------------------------

    def _skipped_for_empty_agenda(self, series: Series, scope: Scope, occurrence: Occurrence,
                                  offset: dt.timedelta, now: dt.datetime) -> bool:
        """With `auto_skip_empty`, a meeting whose agenda is empty when its one-day
        reminder is due is skipped; the channel gets the skip notice instead."""
        if not series.auto_skip_empty or offset != ONE_DAY:
            return False
        key = occurrence.key.isoformat()
        if self.bot.store.agenda.items(scope, series.id, key):
            return False
        self.bot.store.occurrence_changes.set(series.id, key, None, AUTO_SKIPPER,
                                              now.isoformat())
        return True

    def _skipped(self, series: Series, skipped: list[dict]
                 ) -> Iterator[tuple[Occurrence, dt.datetime, str]]:
        """Each meeting of `series` skipped in chat (rows of `skipped`), when its first
        reminder would have been due, and who skipped it."""
        unchanged = self.bot.schedules.unchanged(series.id) if skipped else None
        for change in skipped:
            day = dt.date.fromisoformat(change["occurrence"])
            occurrence = unchanged.recurrence.occurrence_on(day) if unchanged else None
            if occurrence is not None:
                yield occurrence, occurrence.start_utc - max(series.reminders), change[
                    "changed_by"]

    def _tell_skipped(self, series: Series, scope: Scope, now: dt.datetime,
                      settled: set[ReminderKey], skipped: list[dict]) -> dt.datetime | None:
        """When the first reminder of a skipped meeting would have been due, the channel is
        told once, under its own claim (offset -1), that there is no meeting that day.
        Answers when the next such notice is due."""
        upcoming = None
        for occurrence, due, skipped_by in self._skipped(series, skipped):
            if due > now:
                upcoming = _earliest(upcoming, due)
                continue
            key = ReminderKey(self.target.platform, series.id, occurrence.key.isoformat(),
                              SKIP_NOTICE)
            if occurrence.start_utc <= now or key in settled or not self.claims.claim(
                    key, now.isoformat(), (now - CLAIM_LEASE).isoformat()):
                continue
            try:
                self.target.post_notice(scope.channel, skip_notice(
                    self.bot, series, scope, occurrence, skipped_by, now))
            except Exception:
                log.exception("posting the skip notice %s failed; it will be retried", key)
                self.claims.release(key)
                self.failed = True
                self._retry.add(series.id)
                continue
            self.claims.mark_sent(key, now.isoformat())
        return upcoming

    def next_due(self, now: dt.datetime) -> dt.datetime | None:
        dues = [soonest for series, _ in self._reminded_series()
                if (soonest := self._walk(series, now)[1]) is not None]
        return min(dues, default=None)

    # -- posting ------------------------------------------------------------

    def _deliver(self, series: Series, scope: Scope, occurrence: Occurrence,
                 offset: dt.timedelta, now: dt.datetime) -> str:
        """POSTED, FAILED (the claim given back, to be tried again) or TAKEN (another
        process holds the claim)."""
        key = self.key(series, occurrence, offset)
        if not self.claims.claim(key, now.isoformat(), (now - CLAIM_LEASE).isoformat()):
            return TAKEN
        try:
            self.target.post_reminder(
                scope.channel, lambda: self.compose(series, scope, occurrence, offset, now))
        except Exception:
            if self.stopping.is_set():  # the platform is going away: the next start posts it
                log.info("reminder %s not posted before shutdown; it will be", key)
            else:
                log.exception("posting reminder %s failed; it will be retried", key)
            self.claims.release(key)
            self.failed = True
            return FAILED
        self.claims.mark_sent(key, now.isoformat())
        self._send_personal(series, scope, occurrence, offset, now)
        return POSTED

    def _send_personal(self, series: Series, scope: Scope, occurrence: Occurrence,
                       offset: dt.timedelta, now: dt.datetime) -> None:
        for member in self.bot.store.members.of_channel(scope, wanting_reminders=True):
            try:
                self.target.send_direct(member, lambda member=member: self.compose(
                    series, scope, occurrence, offset, now, reader_zone=member.zone or "UTC"))
            except Exception:
                log.exception("personal reminder to %s failed", member.id)

    def compose(self, series: Series, scope: Scope, occurrence: Occurrence,
                offset: dt.timedelta, now: dt.datetime, reader_zone: str | None = None
                ) -> Reminder:
        return compose_for(self.bot, series, scope, occurrence, offset, now, reader_zone)


def compose_for(bot: Bot, series: Series, scope: Scope, occurrence: Occurrence,
                offset: dt.timedelta, now: dt.datetime, reader_zone: str | None = None
                ) -> Reminder:
    """What the reminder of `occurrence` says at `now`, from the store as it is."""
    view = gather(bot.store, scope, series, occurrence, bot.pages.url(series) or "")
    agenda = view.open_agenda()
    stale = stale_since(bot.store, scope, series, occurrence)
    # In the channel only: a skip said in a direct message would name no channel.
    skip_hint = (f"With nothing on the agenda, an admin may skip it: /meeting skip "
                 f"{occurrence.key}" if offset == ONE_DAY and not agenda
                 and reader_zone is None else "")
    reminder = compose_reminder(
        series, occurrence, offset, now, view.zones, agenda, marked(view.todos, stale, now),
        reader_zone=reader_zone, page_url=view.page_url,
        roles=roles_said(bot.store, series, scope, occurrence, now), skip_hint=skip_hint)
    if offset == ONE_DAY and stale:
        reminder = replace(reminder, warnings=(*reminder.warnings, owners_note(stale)))
    return reminder


class ReminderScheduler:
    """Calls `Reminders.tick` when the next reminder is due, and every 30 s to
    pick up edited schedule files and retry failed posts."""

    def __init__(self, reminders: Reminders):
        self.reminders = reminders
        self.clock = reminders.bot.clock
        self.scheduler = BackgroundScheduler(timezone=dt.UTC)
        self._lock = threading.Lock()
        self._catch_up: threading.Thread | None = None

    def start(self) -> None:
        """Posts what was missed while the bot was down, then keeps time.

        The catch-up walks every series (a second or two for thousands): it runs beside
        the adapter, which answers commands meanwhile."""
        self.scheduler.add_job(self.run, IntervalTrigger(seconds=RESCAN_SECONDS), id="rescan",
                               max_instances=1, coalesce=True)
        self.scheduler.start()
        self._catch_up = threading.Thread(target=self.run, name="reminder-catch-up", daemon=True)
        self._catch_up.start()

    def run(self) -> None:
        with self._lock:
            if self.reminders.stopping.is_set():
                return
            now = self.clock.now()
            try:
                self.reminders.tick(now)
                upcoming = self.reminders.next_due_at
            except Exception:
                log.exception("reminder tick failed")
                upcoming = None
            if self.reminders.failed:
                retry = now + dt.timedelta(seconds=RETRY_SECONDS)
                upcoming = retry if upcoming is None else min(upcoming, retry)
            if upcoming is not None:
                self.scheduler.add_job(
                    self.run, DateTrigger(run_date=self.clock.to_real(upcoming)),
                    id="next-reminder", replace_existing=True, misfire_grace_time=None,
                )

    def finish_catch_up(self) -> None:
        """Wait until what was missed while the bot was down has been posted."""
        if self._catch_up is not None:
            self._catch_up.join()

    def shutdown(self) -> None:
        """Stops a catch-up in progress (at its next series) and waits for it, so nothing
        is posted after this returns."""
        self.reminders.stopping.set()
        self.finish_catch_up()
        with self._lock:  # waits for a tick in progress; none starts after this
            pass
        self.scheduler.shutdown(wait=True)
        self.reminders.claims.release_all()


SKIP_NOTICE = -1  # the claim's offset for "no meeting that day", apart from every reminder
ONE_DAY = dt.timedelta(days=1)
DIGEST = -2  # the claim's offset for the digest after a meeting
AUTO_SKIPPER = "auto_skip_empty"  # who skipped a meeting the bot skipped for its agenda


def skip_notice(bot: Bot, series: Series, scope: Scope, occurrence: Occurrence,
                skipped_by: str, now: dt.datetime) -> Reply:
    who = bot.store.users.by_id(scope.workspace, [skipped_by]).get(skipped_by)
    why = ("its agenda was empty a day before, so it was skipped (auto_skip_empty)"
           if skipped_by == AUTO_SKIPPER else f"{who.name if who else skipped_by} skipped it")
    following = series.recurrence.next_after(occurrence.start_utc)
    after = (f"The next one: {long_datetime(following.start_utc, series.timezone, now)} "
             f"({series.timezone})." if following else "No meeting follows it.")
    return Reply(f"No {series.name} on {long_date(occurrence.key, now)}: "
                 f"{why}. {after}", public=True)
