"""The task-event payload (version 2), as described in schema/PAYLOAD.md.

Built from the SDK's data models. Every relation a task has may be empty in Canvas
(due, creator, assignee, team, patient), so each is read defensively and becomes null.

Version 2 is version 1 plus `task.modified`, the task's own modification time from
Canvas's clock, which Taskbell orders a task's states by. A task without one is sent as
version 1 (no `task.modified`): a time the plugin made up would order states wrongly,
while a version 1 event only makes Taskbell read the task from the FHIR API.
"""

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from canvas_sdk.v1.data import Patient, Staff, Task, Team

PAYLOAD_VERSION = 2
# What a task whose `modified` is missing is sent as: the shape without `task.modified`.
LEGACY_PAYLOAD_VERSION = 1

EVENT_NAMES = {
    "TASK_CREATED": "created",
    "TASK_UPDATED": "updated",
    "TASK_COMPLETED": "completed",
    "TASK_CLOSED": "closed",
    "TASK_COMMENT_CREATED": "commented",
}

STATUS_NAMES = {
    "OPEN": "open",
    "COMPLETED": "completed",
    "CLOSED": "closed",
}


def rfc3339(moment: datetime | None, *, utc_microseconds: bool = False) -> str | None:
    """An RFC 3339 timestamp that always carries an offset.

    With `utc_microseconds` the instant is written in UTC with exactly six fraction digits
    and a `+00:00` offset, the shape of FHIR Task `lastModified`
    (`2023-10-22T21:06:27.893521+00:00`), so one instant always gives the same string.
    """
    if moment is None:
        return None
    if moment.tzinfo is None:
        # Canvas stores times in UTC; a naive value only appears when a database
        # backend drops the zone, so reading it as UTC keeps the instant unchanged.
        moment = moment.replace(tzinfo=UTC)
    if utc_microseconds:
        return moment.astimezone(UTC).isoformat(timespec="microseconds")
    return moment.isoformat()


def staff_summary(staff: Staff | None) -> dict[str, str] | None:
    """Staff id (the FHIR Practitioner id) and name."""
    if staff is None:
        return None
    return {
        "id": str(staff.id),
        "first_name": staff.first_name or "",
        "last_name": staff.last_name or "",
    }


def team_summary(team: Team | None) -> dict[str, str] | None:
    """Team id and name.

    FHIR exposes a team as a Group whose id is `Team.group_id`; preferring it lets the
    app match the task-group extension it reads from the FHIR API.
    """
    if team is None:
        return None
    return {
        "id": str(team.group_id or team.id),
        "name": team.name or "",
    }


def patient_details(patient: Patient) -> dict[str, Any]:
    """The patient fields seed 002 sent; only used when details are switched on."""
    return {
        "id": str(patient.id),
        "first_name": patient.first_name or "",
        "last_name": patient.last_name or "",
        "birth_date": patient.birth_date.isoformat() if patient.birth_date else None,
        "sex_at_birth": patient.sex_at_birth or "",
    }


def task_status(task: Task, event: str) -> str:
    """The status after the event.

    The event is the better witness when the stored status is not one we know: a
    TASK_COMPLETED can only leave a completed task behind.
    """
    known = STATUS_NAMES.get(task.status or "")
    if known:
        return known
    if event in ("completed", "closed"):
        return event
    return "open"


def label_names(task: Task) -> list[str]:
    """Label names in the order Canvas shows them."""
    return [label.name for label in task.labels.order_by("position", "name")]


def build_payload(
    *,
    event: str,
    task: Task,
    include_patient: bool,
    actor_id: str | None = None,
    comment_id: str | None = None,
    event_id: str | None = None,
    occurred_at: datetime | None = None,
) -> dict[str, Any]:
    """One payload for one handled event; every delivery channel sends this same object.

    For a comment event `task` is the comment's task, so `task.modified` is that task's
    `modified` as loaded (Canvas bumps it when a comment is added).
    """
    modified = rfc3339(task.modified, utc_microseconds=True)
    task_fields: dict[str, Any] = {
        "id": str(task.id),
        "title": task.title or "",
        "status": task_status(task, event),
        "due": rfc3339(task.due),
        "labels": label_names(task),
    }
    if modified is not None:
        task_fields["modified"] = modified
    payload: dict[str, Any] = {
        "version": PAYLOAD_VERSION if modified is not None else LEGACY_PAYLOAD_VERSION,
        "event_id": event_id or str(uuid4()),
        "event": event,
        "occurred_at": rfc3339(occurred_at or datetime.now(UTC)),
        "task": task_fields,
        "creator": staff_summary(task.creator),
        "assignee": {
            "staff": staff_summary(task.assignee),
            "team": team_summary(task.team),
        },
        "actor": {"id": actor_id} if actor_id else None,
    }
    if include_patient and task.patient is not None:
        payload["patient"] = patient_details(task.patient)
    if event == "commented" and comment_id:
        payload["comment"] = {"id": str(comment_id)}
    return payload
