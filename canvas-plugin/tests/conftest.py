"""Shared fixtures: real SDK events and factory-built tasks."""

import base64
import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from canvas_sdk.effects import Effect, EffectType
from canvas_sdk.events import Event, EventRequest, EventType
from canvas_sdk.test_utils.factories import (
    PatientFactory,
    StaffFactory,
    TaskFactory,
    TaskLabelFactory,
    TaskTaskLabelFactory,
    TeamFactory,
)
from canvas_sdk.v1.data import Task
from canvas_sdk.v1.data.task import TaskStatus

from taskbell_relay.handlers.task_events import TaskEventRelay

PLUGIN_ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = PLUGIN_ROOT / "schema"

WEBHOOK_URL = "https://taskbell.example.com/hooks/canvas"
SLACK_URL = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"taskbell-test-signing-key-32byte").decode()

DUE = datetime.datetime(2024, 1, 15, 10, 0, tzinfo=datetime.UTC)

TASK_EVENTS = ["TASK_CREATED", "TASK_UPDATED", "TASK_COMPLETED", "TASK_CLOSED"]
ALL_EVENTS = TASK_EVENTS + ["TASK_COMMENT_CREATED"]

# The event name in the payload and the status a task has after each event.
EXPECTED = {
    "TASK_CREATED": ("created", TaskStatus.OPEN, "open"),
    "TASK_UPDATED": ("updated", TaskStatus.OPEN, "open"),
    "TASK_COMPLETED": ("completed", TaskStatus.COMPLETED, "completed"),
    "TASK_CLOSED": ("closed", TaskStatus.CLOSED, "closed"),
    "TASK_COMMENT_CREATED": ("commented", TaskStatus.OPEN, "open"),
}


def make_event(
    event_type: str,
    target: Any,
    *,
    actor: str = "",
    context: dict[str, Any] | None = None,
) -> Event:
    """An SDK Event built the way the plugin runner builds it, from the protobuf request."""
    target_type = "TaskComment" if event_type.startswith("TASK_COMMENT") else "Task"
    return Event(
        EventRequest(
            type=EventType.Value(event_type),
            target=str(target),
            target_type=target_type,
            context=json.dumps(context or {}),
            actor=actor,
        )
    )


def run_relay(
    event_type: str, target: Any, secrets: dict[str, str] | None = None, *, actor: str = ""
) -> list[Effect]:
    """The effects TaskEventRelay returns for one event."""
    return TaskEventRelay(event=make_event(event_type, target, actor=actor), secrets=secrets).compute()


def effect_payloads(effects: list[Effect], effect_type: int) -> list[dict[str, Any]]:
    """The decoded payloads of the effects of one type."""
    return [json.loads(effect.payload) for effect in effects if effect.type == effect_type]


def broadcast_message(effects: list[Effect]) -> dict[str, Any]:
    """The single broadcast's message, i.e. the relay payload."""
    broadcasts = effect_payloads(effects, EffectType.SIMPLE_API_WEBSOCKET_BROADCAST)
    assert len(broadcasts) == 1
    return broadcasts[0]["data"]["message"]


def http_request(effects: list[Effect], url: str) -> dict[str, Any]:
    """The payload of the single HttpRequestEffect posting to `url`."""
    requests = [
        request
        for request in effect_payloads(effects, EffectType.HTTP_REQUEST)
        if request["data"]["url"] == url
    ]
    assert len(requests) == 1
    return requests[0]


def load_json(path: Path) -> Any:
    """A JSON file's content."""
    return json.loads(path.read_text())


@pytest.fixture
def socket_only() -> dict[str, str]:
    """Only the WebSocket channel configured: the payload arrives as a broadcast."""
    return {"SOCKET_API_KEY": "socket-key"}


@pytest.fixture
def all_channels() -> dict[str, str]:
    """Every delivery channel configured."""
    return {
        "SOCKET_API_KEY": "socket-key",
        "CHANNEL": "taskbell",
        "WEBHOOK_URL": WEBHOOK_URL,
        "WEBHOOK_SECRET": WEBHOOK_SECRET,
        "AUTH_TOKEN": "receiver-token",
        "SLACK_WEBHOOK_URL": SLACK_URL,
    }


def full_task(status: str = TaskStatus.OPEN) -> Task:
    """A task with everything set: due, creator, assignee, team, patient and labels."""
    task = TaskFactory.create(
        title="Follow up with patient",
        due=DUE,
        status=status,
        patient=PatientFactory.create(
            first_name="John",
            last_name="Doe",
            birth_date=datetime.date(1980, 5, 15),
            sex_at_birth="M",
        ),
        creator=StaffFactory.create(first_name="Jane", last_name="Smith"),
        assignee=StaffFactory.create(first_name="Nora", last_name="Johnson"),
        team=TeamFactory.create(name="Care Coordination"),
    )
    for position, name in ((1, "Urgent"), (2, "Labs")):
        TaskTaskLabelFactory.create(
            task=task, task_label=TaskLabelFactory.create(name=name, position=position)
        )
    return task


def bare_task(status: str = TaskStatus.OPEN, **fields: Any) -> Task:
    """A task with no due date, creator, assignee, team or patient."""
    values: dict[str, Any] = {
        "title": "Send a thank you card",
        "status": status,
        "due": None,
        "patient": None,
        "creator": None,
        "assignee": None,
        "team": None,
    }
    values.update(fields)
    return TaskFactory.create(**values)
