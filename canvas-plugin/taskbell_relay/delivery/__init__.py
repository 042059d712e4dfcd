"""Turning one payload into the effects that deliver it on every configured channel."""

from typing import Any, Callable

from canvas_sdk.effects import Effect
from logger import log

from taskbell_relay.delivery.broadcast import broadcast_effect
from taskbell_relay.delivery.slack import slack_effect
from taskbell_relay.delivery.webhook import webhook_effect

CHANNELS: tuple[tuple[str, Callable[[dict[str, Any], dict[str, Any]], Effect | None]], ...] = (
    ("websocket", broadcast_effect),
    ("webhook", webhook_effect),
    ("slack", slack_effect),
)


def delivery_effects(payload: dict[str, Any], secrets: dict[str, Any]) -> list[Effect]:
    """One effect per configured channel.

    A misconfigured channel (a bad secret, a malformed URL) is logged and skipped so
    it cannot stop the others from delivering.
    """
    effects = []
    for name, build in CHANNELS:
        try:
            effect = build(payload, secrets)
        except Exception as error:
            log.error(f"taskbell_relay: {name} delivery skipped: {error}")
            continue
        if effect is not None:
            effects.append(effect)
    return effects
