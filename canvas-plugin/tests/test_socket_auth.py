"""Who may open the WebSocket channel, through the SDK's real WebSocketAPI flow."""

import json

import pytest
from canvas_sdk.effects import Effect, EffectType
from canvas_sdk.events import Event, EventRequest, EventType

from taskbell_relay.handlers.socket_auth import TaskbellSocket

CONFIGURED = {"SOCKET_API_KEY": "s3cr3t-socket-key", "CHANNEL": "taskbell"}


def connect(
    channel: str, headers: dict[str, str], secrets: dict[str, str] | None = None
) -> Effect:
    """The single effect answering a SIMPLE_API_WEBSOCKET_AUTHENTICATE event.

    Canvas passes the `?api_key=` query parameter on as the `authorization` header,
    which the SDK exposes as `websocket.api_key`.
    """
    event = Event(
        EventRequest(
            type=EventType.SIMPLE_API_WEBSOCKET_AUTHENTICATE,
            context=json.dumps({"channel_name": channel, "headers": headers}),
        )
    )
    (effect,) = TaskbellSocket(event=event, secrets=CONFIGURED if secrets is None else secrets).compute()
    return effect


def accepted(effect: Effect) -> bool:
    """Whether the effect accepts the connection (otherwise it must deny it)."""
    assert effect.type in (
        EffectType.SIMPLE_API_WEBSOCKET_ACCEPT,
        EffectType.SIMPLE_API_WEBSOCKET_DENY,
    )
    return effect.type == EffectType.SIMPLE_API_WEBSOCKET_ACCEPT


def test_right_key_on_the_channel_is_accepted() -> None:
    assert accepted(connect("taskbell", {"authorization": "s3cr3t-socket-key"}))


def test_header_name_is_case_insensitive_and_bearer_prefix_allowed() -> None:
    assert accepted(connect("taskbell", {"Authorization": "Bearer s3cr3t-socket-key"}))


def test_default_channel_when_channel_unset() -> None:
    secrets = {"SOCKET_API_KEY": "s3cr3t-socket-key"}

    assert accepted(connect("taskbell", {"authorization": "s3cr3t-socket-key"}, secrets))


def test_configured_channel() -> None:
    secrets = {**CONFIGURED, "CHANNEL": "clinic-7"}

    assert accepted(connect("clinic-7", {"authorization": "s3cr3t-socket-key"}, secrets))
    assert not accepted(connect("taskbell", {"authorization": "s3cr3t-socket-key"}, secrets))


@pytest.mark.parametrize(
    "key",
    ["wrong", "s3cr3t-socket-ke", "s3cr3t-socket-key2", "S3CR3T-SOCKET-KEY", "clé-ünïcode", " "],
)
def test_wrong_key_is_refused(key: str) -> None:
    assert not accepted(connect("taskbell", {"authorization": key}))


def test_missing_key_is_refused() -> None:
    assert not accepted(connect("taskbell", {}))


@pytest.mark.parametrize("channel", ["other", "taskbell2", "Taskbell", ""])
def test_wrong_channel_is_refused(channel: str) -> None:
    assert not accepted(connect(channel, {"authorization": "s3cr3t-socket-key"}))


@pytest.mark.parametrize("secrets", [{}, {"SOCKET_API_KEY": ""}, {"SOCKET_API_KEY": "   "}])
def test_refused_when_no_key_is_configured(secrets: dict[str, str]) -> None:
    assert not accepted(connect("taskbell", {"authorization": ""}, secrets))
    assert not accepted(connect("taskbell", {}, secrets))
    assert not accepted(connect("taskbell", {"authorization": "anything"}, secrets))


def test_refusal_says_unauthorized() -> None:
    effect = connect("taskbell", {"authorization": "wrong"})

    assert json.loads(effect.payload) == {"data": {"message": "Unauthorized"}}
