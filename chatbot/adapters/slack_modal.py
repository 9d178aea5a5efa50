"""Slack's forms. Each one's answers become chat commands, so a form obeys the same rules
and gives the same replies as typing them.

- `/meeting new` said without a name: name, zone (the asker's), first date and time,
  repeat and video link -> `/meeting new NAME` and `/meeting set ...`.
- The message shortcuts *Add to agenda* (the message's text and a section) and *Add as
  TODO* (the text and its owners, the author first) -> `/agenda add` and `/todo add`
  (`slack_shortcuts.py`).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import (
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
    TimePickerElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

NEW_MEETING = "meeting_new"
ADD_TO_AGENDA = "add_to_agenda"  # the shortcut's callback id, and its form's
ADD_AS_TODO = "add_as_todo"
# Slack's longest plain_text_input; the command's own limit (2,000) refuses what is longer.
INPUT_CHARS = 3000
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NTH = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "last"}
REPEATS = {
    "monthly": "Every month on the same weekday (like the 3rd Wednesday)",
    "weekly": "Every week",
    "fortnightly": "Every other week",
    "once": "Once",
}


async def open_form(client: AsyncWebClient, trigger_id: str, view: dict, channel: str,
                    user: str) -> None:
    """Open `view`; if Slack will not (a trigger is good for 3 s), the person is told so
    in the channel they asked in, not left waiting for a form."""
    try:
        await client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as error:
        reason = error.response.get("error")
        log.warning("views.open failed: %s", reason)
        try:
            await client.chat_postEphemeral(
                channel=channel, user=user,
                text=f":warning: Slack did not open the form ({reason}). Ask for it again.")
        except SlackApiError as also:
            log.warning("chat.postEphemeral failed: %s", also.response.get("error"))


def new_meeting_view(zone: str, channel: str, today: dt.date) -> dict:
    repeats = [Option(value=key, text=label) for key, label in REPEATS.items()]
    fields = [
        InputBlock(block_id="name", label="Name",
                   element=PlainTextInputElement(action_id="name", max_length=200)),
        InputBlock(block_id="zone", label="Time zone",
                   element=PlainTextInputElement(action_id="zone", initial_value=zone)),
        InputBlock(block_id="day", label="First meeting",
                   element=DatePickerElement(action_id="day", initial_date=today.isoformat())),
        InputBlock(block_id="time", label="Time",
                   element=TimePickerElement(action_id="time", initial_time="18:00")),
        InputBlock(block_id="repeat", label="Repeat",
                   element=StaticSelectElement(action_id="repeat", options=repeats,
                                               initial_option=repeats[0])),
        InputBlock(block_id="video", label="Video link", optional=True,
                   element=PlainTextInputElement(action_id="video")),
    ]
    return View(type="modal", callback_id=NEW_MEETING, title="New meeting", submit="Create",
                close="Cancel", private_metadata=channel, blocks=fields).to_dict()


@dataclass(frozen=True)
class NewMeetingForm:
    name: str
    zone: str
    day: dt.date
    time: str
    repeat: str
    video: str

    def settings(self, series_id: str) -> list[tuple[str, str]]:
        """The commands that give the new series what the form says, each with the field
        a refusal of it is shown under."""
        when = when_text(self.day, self.time, self.repeat)
        said = [("zone", f"set timezone {self.zone}"), ("day", f"set when {when}")]
        said += [("video", f"set video {self.video}")] if self.video else []
        return [(field, f"/meeting --meeting {series_id} {words}") for field, words in said]


def read_form(view: dict) -> NewMeetingForm:
    values = view["state"]["values"]

    def value(block: str) -> dict:
        return values.get(block, {}).get(block) or {}

    return NewMeetingForm(
        name=" ".join((value("name").get("value") or "").split()),
        zone=(value("zone").get("value") or "UTC").strip(),
        day=dt.date.fromisoformat(value("day").get("selected_date") or ""),
        time=value("time").get("selected_time") or "18:00",
        repeat=(value("repeat").get("selected_option") or {}).get("value", "once"),
        video=(value("video").get("value") or "").strip(),
    )


def when_text(day: dt.date, clock: str, repeat: str) -> str:
    """What `/meeting set when` reads: `every 3rd wednesday at 18:00 starting 2026-12-16`."""
    weekday = _WEEKDAYS[day.weekday()]
    starting = f"at {clock} starting {day.isoformat()}"
    if repeat == "weekly":
        return f"every {weekday} {starting}"
    if repeat == "fortnightly":
        return f"every other {weekday} {starting}"
    if repeat == "monthly":
        nth = _NTH[(day.day - 1) // 7 + 1]
        return f"every {nth} {weekday} {starting}"
    return f"on {day.isoformat()} at {clock}"


# -- the message shortcuts' forms ------------------------------------------------------------


def _message_text(text: str) -> InputBlock:
    return InputBlock(block_id="text", label="Text", element=PlainTextInputElement(
        action_id="text", multiline=True, max_length=INPUT_CHARS,
        initial_value=text[:INPUT_CHARS]))


def agenda_item_view(text: str, sections: dict[str, str], default: str, metadata: str
                     ) -> dict:
    """`sections`: key -> title, in the agenda's order; `default` is /agenda add's."""
    options = [Option(value=key, text=title) for key, title in sections.items()]
    fields = [
        _message_text(text),
        InputBlock(block_id="section", label="Section", element=StaticSelectElement(
            action_id="section", options=options,
            initial_option=next(o for o in options if o.value == default))),
    ]
    return View(type="modal", callback_id=ADD_TO_AGENDA, title="Add to agenda", submit="Add",
                close="Cancel", private_metadata=metadata, blocks=fields).to_dict()


def todo_view(text: str, author: str, metadata: str) -> dict:
    fields = [
        _message_text(text),
        InputBlock(block_id="owners", label="Owners", element=UserMultiSelectElement(
            action_id="owners", initial_users=[author])),
    ]
    return View(type="modal", callback_id=ADD_AS_TODO, title="Add as TODO", submit="Add",
                close="Cancel", private_metadata=metadata, blocks=fields).to_dict()


def notice_view(title: str, text: str) -> dict:
    """A form with nothing to fill in: why a shortcut cannot be used here."""
    return View(type="modal", title=title, close="Close",
                blocks=[SectionBlock(text=MarkdownTextObject(text=text))]).to_dict()


@dataclass(frozen=True)
class MessageForm:
    text: str
    section: str  # "" on the TODO form
    owners: tuple[str, ...]  # user ids; () on the agenda form


def read_message_form(view: dict) -> MessageForm:
    """What a shortcut's form holds (the guard has checked each answer's type)."""
    values = view["state"]["values"]

    def answer(block: str) -> dict:
        return values.get(block, {}).get(block) or {}

    return MessageForm(
        text=(answer("text").get("value") or "").strip(),
        section=(answer("section").get("selected_option") or {}).get("value") or "",
        owners=tuple(answer("owners").get("selected_users") or ()),
    )
