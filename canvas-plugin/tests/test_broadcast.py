"""The WebSocket broadcast."""

from canvas_sdk.effects import EffectType

from tests.conftest import effect_payloads, full_task, run_relay


def test_broadcast_on_default_channel(socket_only: dict[str, str]) -> None:
    task = full_task()
    effects = run_relay("TASK_CREATED", task.id, socket_only)

    (broadcast,) = effect_payloads(effects, EffectType.SIMPLE_API_WEBSOCKET_BROADCAST)
    assert broadcast["data"]["channel"] == "taskbell"
    assert broadcast["data"]["message"]["task"]["id"] == str(task.id)
    assert len(effects) == 1


def test_broadcast_on_configured_channel(socket_only: dict[str, str]) -> None:
    effects = run_relay("TASK_CREATED", full_task().id, {**socket_only, "CHANNEL": "clinic-7"})

    (broadcast,) = effect_payloads(effects, EffectType.SIMPLE_API_WEBSOCKET_BROADCAST)
    assert broadcast["data"]["channel"] == "clinic-7"


def test_no_broadcast_without_socket_key() -> None:
    effects = run_relay("TASK_CREATED", full_task().id, {"SOCKET_API_KEY": "", "CHANNEL": "x"})

    assert effects == []


def test_invalid_channel_name_skips_only_the_broadcast(all_channels: dict[str, str]) -> None:
    effects = run_relay("TASK_CREATED", full_task().id, {**all_channels, "CHANNEL": "no spaces"})

    assert effect_payloads(effects, EffectType.SIMPLE_API_WEBSOCKET_BROADCAST) == []
    assert len(effect_payloads(effects, EffectType.HTTP_REQUEST)) == 2
