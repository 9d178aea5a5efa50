"""A workspace's data as a whole: taken away (`chatbot export --workspace T…`), deleted
(`chatbot purge --workspace T…`), and deleted by itself once a workspace that uninstalled
the app has been gone for CHATBOT_RETENTION_DAYS (default 30) without installing again.

The export is one JSON document: the workspace's series (the schedule files that bind a
channel of it), every stored row of its agendas, roll calls, TODOs, meetings, decisions,
people and channel members, and the markdown minutes archived for its meetings.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from chatbot import archive
from chatbot.commands import Bot
from chatbot.config import SettingsError
from chatbot.core.schedule import read_schedule_text

DEFAULT_RETENTION_DAYS = 30
FORMAT = "chatbot-workspace-export/1"

log = logging.getLogger(__name__)


def retention_days(environ: os._Environ | dict = os.environ) -> int:
    text = (environ.get("CHATBOT_RETENTION_DAYS") or "").strip()
    if not text:
        return DEFAULT_RETENTION_DAYS
    if not text.isdigit():
        raise SettingsError(f"CHATBOT_RETENTION_DAYS={text!r} is not a whole number of days")
    return int(text)


def _bound_series(bot: Bot, workspace: str, stored_series: set[str]) -> list[dict[str, Any]]:
    """The series whose binding names the workspace, or that its stored rows belong to."""
    found = []
    for series in bot.schedules.series:
        named = any(bot.workspace_named(series, platform) == workspace
                    for platform in series.channels)
        if named or series.id in stored_series:
            path = bot.schedules.folder / f"{series.id}.toml"
            try:
                text = read_schedule_text(path)
            except (OSError, UnicodeDecodeError):
                text = None
            found.append({"id": series.id, "name": series.name, "file": path.name,
                          "schedule": text})
    return found


def export_workspace(bot: Bot, workspace: str) -> dict[str, Any]:
    rows = bot.store.workspaces.rows(workspace)
    stored_series = {row["series"] for table in ("agenda_items", "attendance", "meetings")
                     for row in rows[table]}
    minutes = [
        {"series": row["series"], "occurrence": row["occurrence"],
         "file": row["archive_path"], "markdown": archive.read(bot.archive, row["archive_path"])}
        for row in rows["meetings"] if row["archive_path"]
    ]
    return {
        "format": FORMAT,
        "workspace": workspace,
        "exported_at": bot.clock.now().isoformat(),
        "series": _bound_series(bot, workspace, stored_series),
        "agenda": rows["agenda_items"],
        "roll_calls": rows["attendance"],
        "todos": rows["todos"],
        "todo_owners": rows["todo_owners"],
        "meetings": rows["meetings"],
        "decisions": rows["decisions"],
        "imports": rows["imports"],
        "people": rows["users"],
        "channel_members": rows["members"],
        "minutes": minutes,
    }


def purge_workspace(bot: Bot, workspace: str) -> int:
    """Delete everything stored for the workspace, its archived minutes too; the number
    of rows and files deleted. The schedule files stay: they are the operator's; so does
    a minutes file another workspace's meeting also points to."""
    paths = [row["archive_path"] for row in bot.store.workspaces.rows(workspace)["meetings"]
             if row["archive_path"]]
    deleted = bot.store.workspaces.purge(workspace)
    for relative in set(paths) - bot.store.workspaces.archive_paths_in_use(paths):
        path = bot.archive / relative
        if archive.inside(bot.archive, path) is not None and path.is_file():
            path.unlink()
            deleted += 1
    return deleted


def purge_departed(bot: Bot, days: int) -> list[str]:
    """Purge every workspace that left more than `days` days ago; which ones."""
    cutoff = (bot.clock.now() - dt.timedelta(days=days)).isoformat()
    gone = bot.store.workspaces.left_before(cutoff)
    for workspace in gone:
        purge_workspace(bot, workspace)
        log.info("deleted the data of %s, which uninstalled the app over %d days ago",
                 workspace, days)
    return gone


def write_export(document: dict[str, Any], out: Path | None) -> None:
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
