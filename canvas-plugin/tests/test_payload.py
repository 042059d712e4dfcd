"""The payload each task event produces, built from real SDK models."""

import datetime
import uuid
from typing import Any

import pytest
from canvas_sdk.test_utils.factories import (
    CanvasUserFactory,
    PatientFactory,
    StaffFactory,
    TaskCommentFactory,
    TeamFactory,
)
from canvas_sdk.v1.data import Task

from taskbell_relay.payload import build_payload
from tests.conftest import (
    ALL_EVENTS,
    EXPECTED,
    TASK_EVENTS,
    bare_task,
    broadcast_message,
    full_task,
    run_relay,
)


def event_target(event_type: str, task: Task) -> str:
    """What Canvas targets: the task itself, or a new comment on it."""
    if event_type == "TASK_COMMENT_CREATED":
        return str(TaskCommentFactory.create(task=task).id)
    return str(task.id)


def relay_payload(
    event_type: str, task: Task, secrets: dict[str, str], actor: str = ""
) -> dict[str, Any]:
    """The payload broadcast for this event on this task."""
    return broadcast_message(
        run_relay(event_type, event_target(event_type, task), secrets, actor=actor)
    )


def fhir_last_modified(moment: datetime.datetime) -> str:
    """An aware instant written the way Canvas's FHIR API writes Task.lastModified."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def stored_modified(task: Task) -> datetime.datetime:
    """The task's `modified` as the database holds it now."""
    return Task.objects.get(dbid=task.dbid).modified


def set_modified(task: Task, moment: datetime.datetime) -> None:
    """Give the stored task this `modified` (a queryset update skips `auto_now`)."""
    Task.objects.filter(dbid=task.dbid).update(modified=moment)


@pytest.mark.parametrize("event_type", ALL_EVENTS)
def test_full_task_fields(event_type: str, socket_only: dict[str, str]) -> None:
    event, status, status_name = EXPECTED[event_type]
    task = full_task(status)

    payload = relay_payload(event_type, task, socket_only)

    assert payload["version"] == 2
    assert payload["event"] == event
    assert str(uuid.UUID(payload["event_id"])) == payload["event_id"]
    assert payload["occurred_at"].endswith("+00:00")
    assert payload["task"] == {
        "id": str(task.id),
        "title": "Follow up with patient",
        "status": status_name,
        "due": "2024-01-15T10:00:00+00:00",
        "labels": ["Urgent", "Labs"],
        "modified": fhir_last_modified(stored_modified(task)),
    }
    assert payload["creator"] == {
        "id": task.creator.id,
        "first_name": "Jane",
        "last_name": "Smith",
    }
    assert payload["assignee"] == {
        "staff": {"id": task.assignee.id, "first_name": "Nora", "last_name": "Johnson"},
        "team": {"id": str(task.team.id), "name": "Care Coordination"},
    }
    assert payload["actor"] is None
    assert "patient" not in payload, "patient details must be off by default"


@pytest.mark.parametrize("event_type", ALL_EVENTS)
def test_missing_due_creator_assignee_team_and_patient(
    event_type: str, socket_only: dict[str, str]
) -> None:
    event, status, status_name = EXPECTED[event_type]
    task = bare_task(status)

    payload = relay_payload(
        event_type, task, {**socket_only, "INCLUDE_PATIENT_DETAILS": "true"}
    )

    assert payload["event"] == event
    assert payload["version"] == 2
    assert payload["task"]["modified"] == fhir_last_modified(stored_modified(task))
    assert payload["task"]["status"] == status_name
    assert payload["task"]["due"] is None
    assert payload["task"]["labels"] == []
    assert payload["creator"] is None
    assert payload["assignee"] == {"staff": None, "team": None}
    assert "patient" not in payload


@pytest.mark.parametrize("event_type", TASK_EVENTS)
def test_each_missing_relation_alone(event_type: str, socket_only: dict[str, str]) -> None:
    _, status, _ = EXPECTED[event_type]
    for missing in ("due", "creator", "assignee", "team", "patient"):
        task = full_task(status)
        Task.objects.filter(dbid=task.dbid).update(**{missing: None})
        payload = relay_payload(
            event_type, task, {**socket_only, "INCLUDE_PATIENT_DETAILS": "yes"}
        )
        if missing == "due":
            assert payload["task"]["due"] is None
        elif missing == "creator":
            assert payload["creator"] is None
        elif missing in ("assignee", "team"):
            key = "staff" if missing == "assignee" else "team"
            assert payload["assignee"][key] is None
            other = "team" if key == "staff" else "staff"
            assert payload["assignee"][other] is not None
        else:
            assert "patient" not in payload


def test_relation_pointing_at_a_missing_row_reads_as_null(socket_only: dict[str, str]) -> None:
    # Canvas exposes its data to plugins through read-only views; a task can refer to
    # staff the view does not show.
    task = full_task()
    Task.objects.filter(dbid=task.dbid).update(creator_id=987654321)
    try:
        payload = relay_payload("TASK_UPDATED", task, socket_only)
    finally:
        # The test database checks foreign keys before it rolls back.
        Task.objects.filter(dbid=task.dbid).update(creator_id=task.creator_id)

    assert payload["creator"] is None


@pytest.mark.parametrize("value", ["true", "TRUE", "True", "1", "yes", "YES", " yes "])
def test_patient_details_when_switched_on(value: str, socket_only: dict[str, str]) -> None:
    task = full_task()

    payload = relay_payload(
        "TASK_CREATED", task, {**socket_only, "INCLUDE_PATIENT_DETAILS": value}
    )

    assert payload["patient"] == {
        "id": task.patient.id,
        "first_name": "John",
        "last_name": "Doe",
        "birth_date": "1980-05-15",
        "sex_at_birth": "M",
    }


@pytest.mark.parametrize("value", [None, "", "false", "0", "no", "off", "y", "on", "2"])
def test_no_patient_details_otherwise(value: str | None, socket_only: dict[str, str]) -> None:
    secrets = dict(socket_only)
    if value is not None:
        secrets["INCLUDE_PATIENT_DETAILS"] = value

    payload = relay_payload("TASK_CREATED", full_task(), secrets)

    assert "patient" not in payload
    assert "Doe" not in str(payload)


def test_comment_event_resolves_its_task(socket_only: dict[str, str]) -> None:
    task = full_task()
    comment = TaskCommentFactory.create(task=task, body="Called, left a voicemail")

    payload = broadcast_message(run_relay("TASK_COMMENT_CREATED", comment.id, socket_only))

    assert payload["event"] == "commented"
    assert payload["task"]["id"] == str(task.id)
    assert payload["comment"] == {"id": str(comment.id)}
    assert "voicemail" not in str(payload), "comment text is never sent"


@pytest.mark.parametrize("event_type", TASK_EVENTS)
def test_only_comment_events_carry_a_comment(event_type: str, socket_only: dict[str, str]) -> None:
    payload = relay_payload(event_type, full_task(EXPECTED[event_type][1]), socket_only)

    assert "comment" not in payload


def test_team_only_assignee(socket_only: dict[str, str]) -> None:
    team = TeamFactory.create(name="Payment Collection")
    task = bare_task(team=team)

    payload = relay_payload("TASK_CLOSED", task, socket_only)

    assert payload["assignee"] == {
        "staff": None,
        "team": {"id": str(team.id), "name": "Payment Collection"},
    }


def test_team_id_is_its_fhir_group_id_when_known(socket_only: dict[str, str]) -> None:
    group_id = uuid.uuid4()
    team = TeamFactory.create(name="Front Desk", group_id=group_id)

    payload = relay_payload("TASK_UPDATED", bare_task(team=team), socket_only)

    assert payload["assignee"]["team"] == {"id": str(group_id), "name": "Front Desk"}


def test_actor_is_the_staff_member_behind_the_canvas_user(socket_only: dict[str, str]) -> None:
    user = CanvasUserFactory.create()
    staff = StaffFactory.create(user=user)

    payload = relay_payload("TASK_UPDATED", full_task(), socket_only, actor=str(user.dbid))

    assert payload["actor"] == {"id": staff.id}


def test_actor_given_as_a_staff_key(socket_only: dict[str, str]) -> None:
    staff = StaffFactory.create()

    payload = relay_payload("TASK_UPDATED", full_task(), socket_only, actor=staff.id)

    assert payload["actor"] == {"id": staff.id}


@pytest.mark.parametrize("kind", ["patient", "unknown"])
def test_actor_that_is_not_staff_is_null(kind: str, socket_only: dict[str, str]) -> None:
    actor = str(PatientFactory.create().user.dbid) if kind == "patient" else "424242"

    payload = relay_payload("TASK_UPDATED", full_task(), socket_only, actor=actor)

    assert payload["actor"] is None


@pytest.mark.parametrize("event_type", ALL_EVENTS)
@pytest.mark.parametrize("target", ["", "not-a-uuid", str(uuid.uuid4())])
def test_unknown_target_sends_nothing(
    event_type: str, target: str, all_channels: dict[str, str]
) -> None:
    assert run_relay(event_type, target, all_channels) == []


def test_comment_of_a_missing_task_sends_nothing(all_channels: dict[str, str]) -> None:
    comment = TaskCommentFactory.create(task=None)

    assert run_relay("TASK_COMMENT_CREATED", comment.id, all_channels) == []


def test_nothing_configured_sends_nothing() -> None:
    assert run_relay("TASK_CREATED", full_task().id, {}) == []


def test_one_event_id_per_event_and_a_new_one_per_event(socket_only: dict[str, str]) -> None:
    task = full_task()

    first = relay_payload("TASK_UPDATED", task, socket_only)
    second = relay_payload("TASK_UPDATED", task, socket_only)

    assert first["event_id"] != second["event_id"]


# Version 2: task.modified, the task's own time from Canvas's clock.

MINUS_FIVE = datetime.timezone(datetime.timedelta(hours=-5))


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        (
            datetime.datetime(2023, 10, 22, 21, 6, 27, 893521, tzinfo=datetime.UTC),
            "2023-10-22T21:06:27.893521+00:00",
        ),
        # A whole second keeps all six fraction digits, like FHIR lastModified.
        (
            datetime.datetime(2023, 10, 22, 21, 6, 27, tzinfo=datetime.UTC),
            "2023-10-22T21:06:27.000000+00:00",
        ),
        (
            datetime.datetime(2023, 10, 22, 21, 6, 27, 5, tzinfo=datetime.UTC),
            "2023-10-22T21:06:27.000005+00:00",
        ),
        # Stored from another zone: the same instant, written in UTC.
        (
            datetime.datetime(2023, 10, 22, 16, 6, 27, 893521, tzinfo=MINUS_FIVE),
            "2023-10-22T21:06:27.893521+00:00",
        ),
    ],
    ids=["microseconds", "whole-second", "one-microsecond", "other-zone"],
)
@pytest.mark.parametrize("event_type", ALL_EVENTS)
def test_task_modified_is_canvas_time_in_utc_with_microseconds(
    event_type: str, stored: datetime.datetime, expected: str, socket_only: dict[str, str]
) -> None:
    task = full_task(EXPECTED[event_type][1])
    target = event_target(event_type, task)
    set_modified(task, stored)

    payload = broadcast_message(run_relay(event_type, target, socket_only))

    assert payload["version"] == 2
    assert payload["task"]["modified"] == expected
    assert datetime.datetime.fromisoformat(payload["task"]["modified"]) == stored


def test_comment_event_carries_the_commented_tasks_modified(socket_only: dict[str, str]) -> None:
    task = full_task()
    other = full_task()
    comment = TaskCommentFactory.create(task=task)
    # Canvas moves a task's `modified` forward when a comment is added; the test database
    # has no such trigger, so the bump is made here.
    bumped = datetime.datetime(2024, 1, 13, 14, 0, 12, 101250, tzinfo=datetime.UTC)
    set_modified(task, bumped)
    set_modified(other, datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC))

    payload = broadcast_message(run_relay("TASK_COMMENT_CREATED", comment.id, socket_only))

    assert payload["task"]["id"] == str(task.id)
    assert payload["task"]["modified"] == "2024-01-13T14:00:12.101250+00:00"
    assert payload["comment"] == {"id": str(comment.id)}


def test_task_modified_follows_the_task_not_the_handler(socket_only: dict[str, str]) -> None:
    task = full_task()
    set_modified(task, datetime.datetime(2023, 10, 22, 21, 6, 27, 893521, tzinfo=datetime.UTC))

    first = relay_payload("TASK_UPDATED", task, socket_only)
    second = relay_payload("TASK_UPDATED", task, socket_only)
    set_modified(task, datetime.datetime(2023, 10, 22, 21, 7, 0, 1, tzinfo=datetime.UTC))
    third = relay_payload("TASK_UPDATED", task, socket_only)

    # Handled at different moments, the unchanged task keeps one time; a change moves it.
    assert first["task"]["modified"] == "2023-10-22T21:06:27.893521+00:00"
    assert second["task"]["modified"] == first["task"]["modified"]
    assert third["task"]["modified"] == "2023-10-22T21:07:00.000001+00:00"
    # occurred_at is still the handler's time, not the task's.
    assert datetime.datetime.fromisoformat(first["occurred_at"]) > datetime.datetime.fromisoformat(
        first["task"]["modified"]
    )


@pytest.mark.parametrize(
    "loaded",
    [
        datetime.datetime(2023, 10, 22, 21, 6, 27, 893521),
        datetime.datetime(2023, 10, 22, 16, 6, 27, 893521, tzinfo=MINUS_FIVE),
    ],
    ids=["naive", "other-zone"],
)
def test_modified_as_loaded_is_written_in_utc(loaded: datetime.datetime) -> None:
    # The SDK's settings turn time zone support on, so the ORM itself always hands back
    # aware UTC values (the factories cannot produce a naive one). A database backend that
    # drops the zone (naive: taken as UTC) or keeps another one would not; the model instance
    # is given such a value directly to stand for that.
    task = full_task()
    assert stored_modified(task).utcoffset() == datetime.timedelta(0)
    task.modified = loaded

    payload = build_payload(event="updated", task=task, include_patient=False)

    assert payload["version"] == 2
    assert payload["task"]["modified"] == "2023-10-22T21:06:27.893521+00:00"


def test_task_without_modified_is_sent_as_version_1() -> None:
    # Canvas always sets `modified` (the column is NOT NULL); the guard is for a model that
    # ever comes without one. No time is made up: the event goes out as version 1.
    task = full_task()
    occurred_at = datetime.datetime(2024, 1, 14, 18, 22, 41, 907000, tzinfo=datetime.UTC)
    common = {
        "event": "updated",
        "include_patient": True,
        "event_id": str(uuid.uuid4()),
        "occurred_at": occurred_at,
    }
    with_time = build_payload(task=task, **common)
    task.modified = None

    without_time = build_payload(task=task, **common)

    assert with_time["version"] == 2 and "modified" in with_time["task"]
    assert without_time["version"] == 1
    assert "modified" not in without_time["task"]
    assert without_time["occurred_at"] == "2024-01-14T18:22:41.907000+00:00"
    # Apart from the version and task.modified, the event is what version 2 would send.
    with_time["task"].pop("modified")
    assert {**without_time, "version": 2} == with_time
