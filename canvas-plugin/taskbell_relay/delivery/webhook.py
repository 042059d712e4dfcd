"""Delivery to a webhook receiver such as Taskbell's POST /hooks/canvas."""

import json
import time
from typing import Any
from urllib.parse import urlparse

from canvas_sdk.effects import Effect
from canvas_sdk.effects.http_request import HttpMethod, HttpRequestEffect

from taskbell_relay.delivery.signing import sign
from taskbell_relay.variables import variable

# Rate limiting and server errors are worth another try; other 4xx answers will not
# change on a retry.
RETRY_ON_STATUS_CODES = [429] + list(range(500, 600))


def encode_body(payload: dict[str, Any]) -> str:
    """The exact body that is signed and sent.

    ASCII-only JSON: the platform turns this string into bytes itself, and escaped
    non-ASCII text is the same bytes under any encoding it might pick, so the
    signature always covers what the receiver gets.
    """
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=True)


def is_http_url(url: str) -> bool:
    """Only http(s) URLs with a host can be posted to."""
    parsed = urlparse(url)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def http_post(url: str, headers: dict[str, str], body: str) -> Effect:
    """An asynchronous POST the platform retries on 429 and 5xx answers."""
    return HttpRequestEffect(
        url=url,
        method=HttpMethod.POST,
        headers=headers,
        body=body,
        retry_on_status_codes=RETRY_ON_STATUS_CODES,
    ).apply()


def webhook_headers(
    payload: dict[str, Any], body: str, secrets: dict[str, Any], timestamp: int
) -> dict[str, str]:
    """Content type, Standard Webhooks headers and the optional bearer token.

    `webhook-id` is the payload's event_id, so a receiver can drop the duplicates
    that retries and multiple channels produce.
    """
    message_id = str(payload["event_id"])
    headers = {
        "Content-Type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
    }
    secret = variable(secrets, "WEBHOOK_SECRET")
    if secret:
        headers["webhook-signature"] = sign(secret, message_id, timestamp, body)
    token = variable(secrets, "AUTH_TOKEN")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers


def webhook_effect(payload: dict[str, Any], secrets: dict[str, Any]) -> Effect | None:
    """The signed POST to WEBHOOK_URL, or None when no webhook is configured."""
    url = variable(secrets, "WEBHOOK_URL")
    if not url:
        return None
    if not is_http_url(url):
        raise ValueError("WEBHOOK_URL is not an http(s) URL")
    body = encode_body(payload)
    headers = webhook_headers(payload, body, secrets, int(time.time()))
    return http_post(url, headers, body)
