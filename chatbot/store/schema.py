"""The tables, as an append-only list of migrations counted by `PRAGMA user_version`.

A migration is never edited once released: a database written by an older bot opens
unchanged. `db.create_table` runs inside the migration's transaction.
"""

from collections.abc import Callable

import sqlite_utils


def _migration_1(db: sqlite_utils.Database) -> None:
    db.create_table("users", {
        "workspace": str, "user_id": str, "name": str, "tz": str, "profile_tz": str,
        "affiliation": str, "github": str, "remind": int,
    }, pk=("workspace", "user_id"), defaults={"affiliation": "", "github": "", "remind": 0},
        not_null={"workspace", "user_id", "name"})
    db.execute("CREATE INDEX users_by_name ON users (workspace, name COLLATE NOCASE)")
    db.execute("CREATE INDEX users_by_github ON users (workspace, github COLLATE NOCASE)")
    # Who takes part in a channel: the zones reminders show and who gets them.
    db.create_table("members", {"workspace": str, "channel": str, "user_id": str,
                                "last_seen": str}, pk=("workspace", "channel", "user_id"))
    db.create_table("agenda_items", {
        "id": int, "workspace": str, "channel": str, "series": str, "occurrence": str,
        "section": str, "text": str, "author_id": str, "author_name": str,
        "position": int, "done": int, "carried_over": int, "created_at": str,
    }, pk="id", defaults={"done": 0, "carried_over": 0},
        not_null={"workspace", "channel", "series", "occurrence", "section", "text"})
    db["agenda_items"].create_index(["workspace", "channel", "series", "occurrence", "position"])
    db.create_table("attendance", {
        "workspace": str, "channel": str, "series": str, "occurrence": str,
        "user_id": str, "name": str, "affiliation": str, "github": str,
        "regrets": int, "recorded_at": str,
    }, pk=("workspace", "channel", "series", "occurrence", "user_id"),
        defaults={"affiliation": "", "github": "", "regrets": 0})
    db.create_table("todos", {
        "id": int, "workspace": str, "channel": str, "number": int, "text": str,
        "creator_id": str, "series": str, "occurrence": str, "created_at": str, "done_at": str,
    }, pk="id", not_null={"workspace", "channel", "number", "text", "creator_id"})
    db["todos"].create_index(["workspace", "channel", "number"], unique=True)
    db["todos"].create_index(["workspace", "channel", "done_at"])
    db.create_table("todo_owners", {"todo_id": int, "user_id": str}, pk=("todo_id", "user_id"),
                    foreign_keys=[("todo_id", "todos", "id")])
    db["todo_owners"].create_index(["user_id", "todo_id"])


def _migration_reminders(db: sqlite_utils.Database) -> None:
    # One row per reminder ever due: the primary key is what makes a reminder post
    # exactly once across restarts and across processes sharing this file.
    db.create_table("reminder_claims", {
        "platform": str, "series": str, "occurrence": str, "offset_minutes": int,
        "state": str, "owner": str, "claimed_at": str, "finished_at": str,
    }, pk=("platform", "series", "occurrence", "offset_minutes"))


def _migration_minutes(db: sqlite_utils.Database) -> None:
    # One row per occurrence the bot ran or imported; started and not ended is "in progress".
    db.create_table("meetings", {
        "workspace": str, "channel": str, "series": str, "occurrence": str,
        "started_at": str, "ended_at": str, "started_by": str, "archive_path": str,
        "imported_from": str,
    }, pk=("workspace", "channel", "series", "occurrence"))
    db["meetings"].create_index(["workspace", "channel", "ended_at"])
    db.create_table("decisions", {
        "id": int, "workspace": str, "channel": str, "series": str, "occurrence": str,
        "text": str, "author_id": str, "created_at": str,
    }, pk="id", not_null={"workspace", "channel", "series", "occurrence", "text"})
    db["decisions"].create_index(["workspace", "channel", "series", "occurrence"])
    # Content hashes of imported notes, so importing a file again stores nothing twice.
    db.create_table("imports", {
        "workspace": str, "channel": str, "series": str, "content_hash": str,
        "file_name": str, "occurrence": str, "imported_at": str,
    }, pk=("workspace", "channel", "series", "content_hash"))


def _migration_chat_accounts(db: sqlite_utils.Database) -> None:
    # Where a bot account's event stream left off (a Matrix /sync token), so a
    # restarted bot answers what it missed once and nothing twice.
    db.create_table("sync_positions", {"account": str, "position": str, "saved_at": str},
                    pk="account", not_null={"position"})
    # The direct-message room a bot account shares with each person, reused
    # for every personal reminder.
    db.create_table("direct_rooms", {"account": str, "user_id": str, "room_id": str},
                    pk=("account", "user_id"), not_null={"room_id"})


def _migration_page_tokens(db: sqlite_utils.Database) -> None:
    # The unguessable part of a series' web page address (/m/<token>): unless the
    # schedule says public = true, knowing it is the only way to the page.
    db.create_table("page_tokens", {"series": str, "token": str, "created_at": str},
                    pk="series", not_null={"token"})
    db["page_tokens"].create_index(["token"], unique=True)


def _migration_workspaces(db: sqlite_utils.Database) -> None:
    # Where the bot is installed (Slack by OAuth): an org-wide install's enterprise, and
    # when a workspace uninstalled it (its data is deleted after the retention period).
    db.create_table("workspaces", {"workspace": str, "enterprise_id": str,
                                   "installed_at": str, "left_at": str}, pk="workspace")


def _migration_live_entries(db: sqlite_utils.Database) -> None:
    # A meeting run item by item: one row per entry (core/live_meeting.py), never
    # deleted; undoing one sets `undone`. `seq` orders them within the occurrence.
    db.create_table("live_entries", {
        "workspace": str, "channel": str, "series": str, "occurrence": str, "seq": int,
        "kind": str, "number": int, "item": str, "author_id": str, "created_at": str,
        "text": str, "owners": str, "timebox": int, "undone": int,
        "ref": int,  # the id of the `todos` or `decisions` row a TODO or decision made
    }, pk=("workspace", "channel", "series", "occurrence", "seq"),
        defaults={"text": "", "owners": "", "undone": 0},
        not_null={"workspace", "channel", "series", "occurrence", "seq", "kind"})
    # A month of a yearly archive that says "No meeting due to lack of attendees.".
    db.execute("ALTER TABLE meetings ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0")
    # Who brings an agenda item and for how long: `/agenda add 10m TEXT`.
    db.execute("ALTER TABLE agenda_items ADD COLUMN timebox INTEGER")


def _migration_meeting_setup(db: sqlite_utils.Database) -> None:
    # Series made with /meeting new: the settings a schedule file would hold, as JSON,
    # and the channel they were made in.
    db.create_table("chat_series", {
        "series": str, "platform": str, "workspace": str, "channel": str, "settings": str,
        "created_by": str, "created_at": str, "updated_at": str,
    }, pk="series", not_null={"platform", "workspace", "channel", "settings"})
    db["chat_series"].create_index(["platform", "workspace", "channel"])
    # One meeting skipped (moved_to NULL) or moved, for any series, by date as the rule
    # gives it; who did it, for the line posted instead of its reminders.
    db.create_table("occurrence_changes", {
        "series": str, "occurrence": str, "moved_to": str, "changed_by": str,
        "changed_at": str,
    }, pk=("series", "occurrence"))
    # Volunteers for a series' facilitator and note-taker ("notes") lines, in join order,
    # and one meeting's role handed to someone.
    db.create_table("role_volunteers", {
        "series": str, "role": str, "user_id": str, "joined_at": str,
    }, pk=("series", "role", "user_id"))
    db.create_table("role_swaps", {
        "series": str, "occurrence": str, "role": str, "user_id": str, "swapped_by": str,
        "swapped_at": str,
    }, pk=("series", "occurrence", "role"))
    # Who asked for no digest of the meetings they missed (/remind digest off).
    db.create_table("digest_opt_outs", {"workspace": str, "user_id": str, "since": str},
                    pk=("workspace", "user_id"))


def _migration_shown_in(db: sqlite_utils.Database) -> None:
    # The chat message that shows an entry and is updated as it changes (a vote's own
    # message on Slack: its ts), so it is still updated after a restart.
    db.execute("ALTER TABLE live_entries ADD COLUMN shown_in TEXT")


def _migration_agenda_by_section(db: sqlite_utils.Database) -> None:
    # `/agenda add` answers with the new item's number: a count of the items in its
    # section and those before it, read from this index alone instead of every row of
    # the agenda (with a hundred items, a fifth of the command).
    db["agenda_items"].create_index(["workspace", "channel", "series", "occurrence", "section"])


def _migration_series_changes(db: sqlite_utils.Database) -> None:
    # Which series changed in the database, in order: a trigger on every write to
    # chat_series and occurrence_changes (by any process sharing the file) gives the series
    # the next number, so readers learn what changed since they last looked from one
    # indexed query instead of reading every series again (100,000 on a hosted bot).
    db.create_table("series_changes", {"series": str, "seq": int}, pk="series",
                    not_null={"seq"})
    db["series_changes"].create_index(["seq"], unique=True)
    for table, event, row in (("chat_series", "INSERT", "NEW"), ("chat_series", "UPDATE", "NEW"),
                              ("chat_series", "DELETE", "OLD"),
                              ("occurrence_changes", "INSERT", "NEW"),
                              ("occurrence_changes", "UPDATE", "NEW"),
                              ("occurrence_changes", "DELETE", "OLD")):
        # Two statements, not INSERT OR REPLACE: an UPSERT's DO UPDATE that fires the
        # trigger overrides the trigger's conflict clause, and the insert would fail.
        db.execute(
            f"CREATE TRIGGER {table}_{event.lower()}_noted AFTER {event} ON {table} BEGIN"
            " UPDATE series_changes SET seq = (SELECT MAX(seq) + 1 FROM series_changes)"
            f" WHERE series = {row}.series;"
            f" INSERT INTO series_changes (series, seq) SELECT {row}.series,"
            " (SELECT COALESCE(MAX(seq), 0) + 1 FROM series_changes)"
            f" WHERE NOT EXISTS (SELECT 1 FROM series_changes WHERE series = {row}.series);"
            " END")
    # Meetings ended lately, for the digests, across every channel in one query.
    db["meetings"].create_index(["ended_at"])


# Append-only: PRAGMA user_version records how many have run.
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _migration_1, _migration_reminders, _migration_minutes, _migration_chat_accounts,
    _migration_page_tokens, _migration_workspaces, _migration_live_entries,
    _migration_meeting_setup, _migration_shown_in, _migration_agenda_by_section,
    _migration_series_changes,
]
