"""Delivery to Taskbell clients connected over the plugin's WebSocket channel."""

from typing import Any

from canvas_sdk.effects import Effect
from canvas_sdk.effects.simple_api import Broadcast

from taskbell_relay.variables import channel_name, variable


def broadcast_effect(payload: dict[str, Any], secrets: dict[str, Any]) -> Effect | None:
    """The broadcast on CHANNEL, or None while SOCKET_API_KEY is unset.

    Without a key the socket handler refuses every connection, so nobody could be
    listening.
    """
    if not variable(secrets, "SOCKET_API_KEY"):
        return None
    return Broadcast(channel=channel_name(secrets), message=payload).apply()
