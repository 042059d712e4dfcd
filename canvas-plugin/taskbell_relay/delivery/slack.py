"""Delivery to a Slack incoming webhook, formatted like seed 002's example message."""

import json
from datetime import UTC, datetime
from typing import Any

from canvas_sdk.effects import Effect

from taskbell_relay.delivery.webhook import http_post, is_http_url
from taskbell_relay.variables import variable

HEADINGS = {
    "created": "📋 New Task Created",
    "updated": "✏️ Task Updated",
    "completed": "✅ Task Completed",
    "closed": "🚫 Task Closed",
    "commented": "💬 New Comment on Task",
}

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

SEX_LABELS = {"F": "Female", "M": "Male", "O": "Other", "UNK": "Unknown"}

# Slack refuses a section field longer than 2000 characters.
MAX_FIELD_TEXT = 1900


def escape(text: str) -> str:
    """Slack mrkdwn escaping, so a task title cannot become a link or an @channel."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shorten(text: str) -> str:
    """Long titles are cut rather than making Slack reject the whole message."""
    if len(text) <= MAX_FIELD_TEXT:
        return text
    return text[: MAX_FIELD_TEXT - 1] + "…"


def person_name(person: dict[str, Any] | None) -> str:
    """First and last name, or "" for nobody."""
    if not person:
        return ""
    return f"{person.get('first_name') or ''} {person.get('last_name') or ''}".strip()


def readable_due(due: str | None) -> str:
    """The due date in each reader's own time zone, with a UTC fallback text.

    The plugin cannot know where the reader is; Slack's date token renders the
    instant in the reader's zone and shows the fallback where tokens are unsupported.
    """
    if not due:
        return "No due date"
    moment = datetime.fromisoformat(due).astimezone(UTC)
    hour = moment.hour % 12 or 12
    meridiem = "AM" if moment.hour < 12 else "PM"
    fallback = (
        f"{MONTHS[moment.month - 1]} {moment.day}, {moment.year} "
        f"at {hour}:{moment.minute:02d} {meridiem} UTC"
    )
    return f"<!date^{int(moment.timestamp())}^{{date}} at {{time}}|{fallback}>"


def readable_patient(patient: dict[str, Any]) -> str:
    """ "John Doe (DOB: 05/15/1980, Male)", as in seed 002's example."""
    details = []
    birth_date = patient.get("birth_date")
    if birth_date:
        year, month, day = birth_date.split("-")
        details.append(f"DOB: {month}/{day}/{year}")
    sex = SEX_LABELS.get(patient.get("sex_at_birth") or "")
    if sex:
        details.append(sex)
    name = escape(person_name(patient)) or "Unnamed patient"
    return f"{name} ({', '.join(details)})" if details else name


def readable_assignee(assignee: dict[str, Any] | None) -> str:
    """The staff member, the team, both, or "Unassigned"."""
    staff = escape(person_name((assignee or {}).get("staff")))
    team_info = (assignee or {}).get("team")
    team = escape(team_info.get("name") or "") if team_info else ""
    if staff and team:
        return f"{staff} ({team})"
    return staff or team or "Unassigned"


def field(label: str, value: str) -> dict[str, str]:
    """One labelled mrkdwn field of the message's section."""
    return {"type": "mrkdwn", "text": shorten(f"*{label}:*\n{value}")}


def slack_message(payload: dict[str, Any]) -> dict[str, Any]:
    """The Slack message: a `text` (Slack rejects messages without one) and blocks.

    The patient line only appears when the payload carries patient details, which it
    only does when INCLUDE_PATIENT_DETAILS is on.
    """
    heading = HEADINGS.get(payload["event"], "Task Event")
    task = payload["task"]
    title = task.get("title") or "(untitled task)"
    fields = [
        field("Title", escape(title)),
        field("Due", readable_due(task.get("due"))),
    ]
    if payload.get("patient"):
        fields.append(field("Patient", readable_patient(payload["patient"])))
    fields.append(field("Created by", escape(person_name(payload.get("creator"))) or "Unknown"))
    fields.append(field("Assigned to", readable_assignee(payload.get("assignee"))))
    return {
        "text": shorten(f"{heading}: {escape(title)}"),
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": heading, "emoji": True}},
            {"type": "section", "fields": fields},
        ],
    }


def slack_effect(payload: dict[str, Any], secrets: dict[str, Any]) -> Effect | None:
    """The POST to SLACK_WEBHOOK_URL, or None when Slack is not configured.

    No bearer token or signature: Slack's webhook URL is itself the credential, and
    AUTH_TOKEN belongs to a different receiver.
    """
    url = variable(secrets, "SLACK_WEBHOOK_URL")
    if not url:
        return None
    if not is_http_url(url):
        raise ValueError("SLACK_WEBHOOK_URL is not an http(s) URL")
    body = json.dumps(slack_message(payload), separators=(",", ":"), ensure_ascii=True)
    return http_post(url, {"Content-Type": "application/json"}, body)
