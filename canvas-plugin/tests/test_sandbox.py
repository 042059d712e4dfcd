"""The handlers run inside the plugin sandbox, not only load there.

`canvas validate` executes module-level code only; the sandbox also guards what
compute() does at request time (imports, attribute access, builtins). Loading the
plugin through the runner's own loader and calling the sandboxed classes catches a
violation before an instance does.
"""

import json
from typing import Any

import pytest
from canvas_sdk.effects import EffectType
from canvas_sdk.events import Event, EventRequest, EventType
from canvas_sdk.test_utils.factories import TaskCommentFactory
from plugin_runner.plugin_runner import sandbox_plugin_handlers
from standardwebhooks import Webhook

from tests.conftest import (
    EXPECTED,
    PLUGIN_ROOT,
    SLACK_URL,
    WEBHOOK_SECRET,
    WEBHOOK_URL,
    bare_task,
    broadcast_message,
    full_task,
    http_request,
    load_json,
    make_event,
)


@pytest.fixture(scope="module")
def sandboxed() -> dict[str, Any]:
    """The handler classes as the plugin runner loads them, by class name."""
    manifest = load_json(PLUGIN_ROOT / "taskbell_relay" / "CANVAS_MANIFEST.json")
    handlers = manifest["components"]["handlers"]
    results = sandbox_plugin_handlers("taskbell_relay", PLUGIN_ROOT / "taskbell_relay", handlers)
    classes = {}
    for result in results:
        assert result.error is None, result.error
        classes[result.handler_class] = result.scope[result.handler_class]
    return classes


@pytest.mark.parametrize("event_type", list(EXPECTED))
@pytest.mark.parametrize("make_task", [full_task, bare_task], ids=["full", "bare"])
def test_task_events_in_the_sandbox(
    event_type: str, make_task: Any, sandboxed: dict[str, Any], all_channels: dict[str, str]
) -> None:
    event, status, _ = EXPECTED[event_type]
    task = make_task(status)
    target = task.id
    if event_type == "TASK_COMMENT_CREATED":
        target = TaskCommentFactory.create(task=task).id
    secrets = {**all_channels, "INCLUDE_PATIENT_DETAILS": "yes"}

    effects = sandboxed["TaskEventRelay"](event=make_event(event_type, target), secrets=secrets).compute()

    payload = broadcast_message(effects)
    assert payload["event"] == event
    assert payload["task"]["id"] == str(task.id)
    assert payload["version"] == 2
    assert payload["task"]["modified"].endswith("+00:00")
    webhook = http_request(effects, WEBHOOK_URL)["data"]
    assert Webhook(WEBHOOK_SECRET).verify(webhook["body"], webhook["headers"]) == payload
    assert json.loads(http_request(effects, SLACK_URL)["data"]["body"])["text"]


@pytest.mark.parametrize(
    ("key", "channel", "expected"),
    [
        ("socket-key", "taskbell", EffectType.SIMPLE_API_WEBSOCKET_ACCEPT),
        ("wrong", "taskbell", EffectType.SIMPLE_API_WEBSOCKET_DENY),
        ("socket-key", "other", EffectType.SIMPLE_API_WEBSOCKET_DENY),
    ],
)
def test_socket_auth_in_the_sandbox(
    key: str, channel: str, expected: int, sandboxed: dict[str, Any]
) -> None:
    event = Event(
        EventRequest(
            type=EventType.SIMPLE_API_WEBSOCKET_AUTHENTICATE,
            context=json.dumps({"channel_name": channel, "headers": {"authorization": key}}),
        )
    )

    (effect,) = sandboxed["TaskbellSocket"](event=event, secrets={"SOCKET_API_KEY": "socket-key"}).compute()

    assert effect.type == expected
