"""Decides who may open the relay's WebSocket channel."""

import hmac

from canvas_sdk.handlers.simple_api.websocket import WebSocketAPI

from taskbell_relay.variables import channel_name, variable

BEARER_PREFIX = "bearer "


def presented_key(raw: str | None) -> str:
    """The key a client presented.

    Canvas hands the `?api_key=` query parameter to the handler as the
    `authorization` header; a client that sends that header itself may prefix it
    with "Bearer ", which is not part of the key.
    """
    key = (raw or "").strip()
    if key.lower().startswith(BEARER_PREFIX):
        key = key[len(BEARER_PREFIX) :].strip()
    return key


class TaskbellSocket(WebSocketAPI):
    """Accepts a connection only with SOCKET_API_KEY, and only on CHANNEL."""

    def authenticate(self) -> bool:
        """True only for the configured channel and a matching key."""
        expected = variable(self.secrets, "SOCKET_API_KEY")
        if not expected:
            # No key configured means the channel is closed, never open to anyone.
            return False
        if self.websocket.channel != channel_name(self.secrets):
            return False
        provided = presented_key(self.websocket.api_key)
        if not provided:
            return False
        # Compared as UTF-8 bytes: compare_digest raises on non-ASCII str, and an
        # odd character in a presented key must end in a refusal, not an error.
        return hmac.compare_digest(provided.encode(), expected.encode())
