"""The minutes archive: `<archive>/<series>/<YYYY-MM-DD>.md`, committed when it is in git.

The only module that reads or writes archived files or runs git. Committing is a courtesy: a missing
git, a folder outside any repository or a failing commit never fails the meeting's
end; `commit()` says what happened in one line for the bot's summary.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path, PurePosixPath

from chatbot.core.hidden_text import visible_text
from chatbot.core.minutes import collapse_whitespace

GIT = "git"
GIT_TIMEOUT_SECONDS = 30
# Used only when the repository has no user configured, so a bot account's commits work.
FALLBACK_NAME = "chatbot"
FALLBACK_EMAIL = "chatbot@localhost"


class ArchiveError(Exception):
    """The minutes could not be written; the message says where and why."""


def relative_path(series_id: str, day: dt.date) -> str:
    """Where a meeting's minutes go inside the archive folder (POSIX, as stored)."""
    if not series_id or "/" in series_id or "\\" in series_id or series_id.startswith("."):
        raise ArchiveError(f"'{series_id}' cannot be used as an archive folder name")
    return f"{series_id}/{day.isoformat()}.md"


def link_between(from_relative: str, to_relative: str) -> str:
    """A markdown link target from one archived file to another, e.g. '2018-02-21.md'."""
    start = PurePosixPath(from_relative).parent
    return os.path.relpath(to_relative, start).replace(os.sep, "/")


def inside(root: Path, path: Path) -> str | None:
    """`path` relative to the archive folder, or None if it lies outside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


# Larger files are not minutes; the web page reads them whole.
MAX_READ_BYTES = 1_000_000


def read(root: Path, relative: str) -> str | None:
    """An archived file's text; None if it is missing, unreadable, too large or (a
    stored path edited by hand) outside the archive folder."""
    path = root / relative
    if inside(root, path) is None:
        return None
    try:
        if path.stat().st_size > MAX_READ_BYTES:
            return None
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def write(root: Path, relative: str, text: str) -> Path:
    """Write (or rewrite) the minutes file; ArchiveError if the disk says no."""
    path = root / relative
    # Write beside it, then rename: a reader (or git) never sees half a file.
    partial = path.with_name(path.name + ".partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    except OSError as error:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise ArchiveError(f"Could not write the minutes to {path}: {error.strerror}") from None
    return path


def commit(root: Path, path: Path, message: str) -> str:
    """Commit `path` alone if the archive folder is in a git work tree; say what happened.

    The message becomes one line of visible text: a line break in a meeting's name must
    not add a paragraph git reads as trailers (Signed-off-by:, Co-authored-by:)."""
    message = collapse_whitespace(visible_text(message)) or "Minutes"
    git = shutil.which(GIT)
    if git is None:
        if _looks_like_work_tree(root):
            return "not committed: git is not installed"
        return ""
    where = ["-C", str(root)]
    inside_tree = _git(git, *where, "rev-parse", "--is-inside-work-tree")
    if inside_tree.returncode != 0 or inside_tree.stdout.strip() != "true":
        return ""  # not a repository: archiving is just the file
    target = str(path.resolve())
    if _git(git, *where, "check-ignore", "-q", target).returncode == 0:
        return "not committed: the file is ignored by git there"
    identity = []
    for key, fallback in (("user.name", FALLBACK_NAME), ("user.email", FALLBACK_EMAIL)):
        if _git(git, *where, "config", key).returncode != 0:
            identity += ["-c", f"{key}={fallback}"]
    added = _git(git, *where, "add", "--", target)
    if added.returncode != 0:
        return f"not committed: git add failed: {_first_line(added)}"
    if _git(git, *where, "diff", "--cached", "--quiet", "--", target).returncode == 0:
        return "unchanged in git"
    # `commit -- PATH` commits that file only, never someone's other staged work.
    committed = _git(git, *identity, *where, "commit", "-q", "-m", message, "--", target)
    if committed.returncode != 0:
        return f"not committed: git commit failed: {_first_line(committed)}"
    head = _git(git, *where, "rev-parse", "--short", "HEAD").stdout.strip()
    return f"committed as {head}"


def _git(git: str, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            [git, *args], capture_output=True, text=True, timeout=GIT_TIMEOUT_SECONDS,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return subprocess.CompletedProcess([git, *args], 1, "", str(error))


def _first_line(result: subprocess.CompletedProcess) -> str:
    lines = (result.stderr or result.stdout).strip().splitlines()
    return lines[0] if lines else f"exit status {result.returncode}"


def _looks_like_work_tree(root: Path) -> bool:
    """Without git we can only look for a `.git` entry here or above."""
    return any((folder / ".git").exists() for folder in [root.resolve(), *root.resolve().parents])
