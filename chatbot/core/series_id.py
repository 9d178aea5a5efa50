"""A series' id from its name: `Data Team Sync` -> `data-team-sync`.

The id names the series in commands (`--meeting ID`), in page addresses and in the file
`chatbot schedules export` writes, so it keeps to lower-case ASCII letters, digits, `-`
and `_`, starting with a letter or digit. Accents are dropped (`Réunion` -> `reunion`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

__all__ = ["SERIES_ID", "MAX_LENGTH", "SeriesNameError", "series_id"]

SERIES_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")
# Room for "-999" and ".toml" within any file system's 255-byte name limit, and short
# enough to type.
MAX_LENGTH = 60


class SeriesNameError(ValueError):
    """The name gives no id; the message says what to write instead."""


def series_id(name: str, taken: Collection[str] = ()) -> str:
    """The id for a new series called `name`, with `-2`, `-3`... when it is `taken`."""
    base = _slug(name)
    if not base:
        raise SeriesNameError(
            f"'{' '.join(name.split())}' has no letter or digit to make an id from; "
            "give the series a name with at least one letter a-z or digit 0-9"
        )
    taken_folded = {existing.casefold() for existing in taken}
    candidate, number = base, 1
    while candidate in taken_folded:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _slug(name: str) -> str:
    unaccented = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    dashed = re.sub(r"[^a-z0-9]+", "-", unaccented.lower()).strip("-")
    return dashed[:MAX_LENGTH].rstrip("-")
