"""The signed webhook: headers, exact body, retries, and verification by standardwebhooks."""

import base64
import json
import time
from typing import Any

import pytest
from canvas_sdk.effects import EffectType
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from taskbell_relay.delivery.signing import sign
from tests.conftest import (
    WEBHOOK_SECRET,
    WEBHOOK_URL,
    broadcast_message,
    effect_payloads,
    full_task,
    http_request,
    run_relay,
)


def webhook_request(
    secrets: dict[str, str], title: str = "Follow up with patient"
) -> dict[str, Any]:
    """The webhook HttpRequestEffect payload for a TASK_CREATED event."""
    task = full_task()
    task.title = title
    task.save()
    effects = run_relay("TASK_CREATED", task.id, secrets)
    return http_request(effects, secrets["WEBHOOK_URL"])


def test_request_shape(all_channels: dict[str, str]) -> None:
    request = webhook_request(all_channels)
    data = request["data"]
    headers = data["headers"]

    assert data["method"] == "POST"
    assert data["url"] == WEBHOOK_URL
    assert headers["Content-Type"] == "application/json"
    assert headers["Authorization"] == "Bearer receiver-token"
    assert headers["webhook-id"] == json.loads(data["body"])["event_id"]
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 60
    assert headers["webhook-signature"].startswith("v1,")


def test_body_is_the_same_payload_as_the_broadcast(all_channels: dict[str, str]) -> None:
    effects = run_relay("TASK_CREATED", full_task().id, all_channels)

    body = json.loads(http_request(effects, WEBHOOK_URL)["data"]["body"])

    assert body == broadcast_message(effects)


def test_retried_asynchronously_on_429_and_every_5xx(all_channels: dict[str, str]) -> None:
    request = webhook_request(all_channels)
    codes = request["data"]["retry_on_status_codes"]

    assert 429 in codes
    assert set(range(500, 600)) <= set(codes)
    assert not {200, 201, 204, 400, 401, 403, 404, 410, 422} & set(codes)
    assert request["async_props"]["retry_on_status_codes"] == codes
    assert request["async_props"]["delay_seconds"] == 0


def test_signature_verifies_with_standardwebhooks(all_channels: dict[str, str]) -> None:
    data = webhook_request(all_channels)["data"]

    verified = Webhook(WEBHOOK_SECRET).verify(data["body"], data["headers"])

    assert verified == json.loads(data["body"])


def test_signature_covers_the_exact_body(all_channels: dict[str, str]) -> None:
    data = webhook_request(all_channels)["data"]
    reencoded = json.dumps(json.loads(data["body"]), indent=2)

    with pytest.raises(WebhookVerificationError):
        Webhook(WEBHOOK_SECRET).verify(reencoded, data["headers"])


def test_other_secret_does_not_verify(all_channels: dict[str, str]) -> None:
    data = webhook_request(all_channels)["data"]
    other = "whsec_" + base64.b64encode(b"some-other-key-of-32-bytes-long!").decode()

    with pytest.raises(WebhookVerificationError):
        Webhook(other).verify(data["body"], data["headers"])


def test_non_ascii_title_is_signed_over_ascii_bytes(all_channels: dict[str, str]) -> None:
    data = webhook_request(all_channels, title="Rappeler Mme Lefèvre — résultats 🧪")["data"]

    assert data["body"].isascii()
    assert Webhook(WEBHOOK_SECRET).verify(data["body"].encode(), data["headers"])["task"][
        "title"
    ] == "Rappeler Mme Lefèvre — résultats 🧪"


def test_bare_base64_secret_is_accepted(all_channels: dict[str, str]) -> None:
    secrets = {**all_channels, "WEBHOOK_SECRET": WEBHOOK_SECRET.removeprefix("whsec_")}
    data = webhook_request(secrets)["data"]

    assert Webhook(WEBHOOK_SECRET).verify(data["body"], data["headers"])


def test_known_signature_vector() -> None:
    # The example from the Standard Webhooks specification.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = '{"test": 2432232314}'

    assert (
        sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_no_bearer_token_without_auth_token(all_channels: dict[str, str]) -> None:
    secrets = {key: value for key, value in all_channels.items() if key != "AUTH_TOKEN"}

    assert "Authorization" not in webhook_request(secrets)["data"]["headers"]


def test_unsigned_without_a_secret_but_bearer_still_sent(all_channels: dict[str, str]) -> None:
    secrets = {key: value for key, value in all_channels.items() if key != "WEBHOOK_SECRET"}
    headers = webhook_request(secrets)["data"]["headers"]

    assert "webhook-signature" not in headers
    assert headers["Authorization"] == "Bearer receiver-token"


@pytest.mark.parametrize("secret", ["whsec_not base64!", "whsec_", "whsec_%%%%"])
def test_broken_secret_skips_the_webhook_only(secret: str, all_channels: dict[str, str]) -> None:
    effects = run_relay("TASK_CREATED", full_task().id, {**all_channels, "WEBHOOK_SECRET": secret})

    urls = [request["data"]["url"] for request in effect_payloads(effects, EffectType.HTTP_REQUEST)]
    assert WEBHOOK_URL not in urls, "never send what the receiver cannot verify"
    assert broadcast_message(effects)["event"] == "created"
    assert len(urls) == 1  # Slack still goes out


@pytest.mark.parametrize("url", ["ftp://example.com/hook", "not a url", "https://"])
def test_malformed_url_skips_the_webhook_only(url: str, all_channels: dict[str, str]) -> None:
    effects = run_relay("TASK_CREATED", full_task().id, {**all_channels, "WEBHOOK_URL": url})

    urls = [request["data"]["url"] for request in effect_payloads(effects, EffectType.HTTP_REQUEST)]
    assert urls == [all_channels["SLACK_WEBHOOK_URL"]]
    assert broadcast_message(effects)["event"] == "created"


def test_not_sent_without_webhook_url(all_channels: dict[str, str]) -> None:
    secrets = {**all_channels, "WEBHOOK_URL": "  "}
    effects = run_relay("TASK_CREATED", full_task().id, secrets)

    urls = [request["data"]["url"] for request in effect_payloads(effects, EffectType.HTTP_REQUEST)]
    assert urls == [all_channels["SLACK_WEBHOOK_URL"]]
