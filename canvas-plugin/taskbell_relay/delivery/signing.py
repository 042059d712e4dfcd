"""Standard Webhooks signatures (https://www.standardwebhooks.com/)."""

import base64
import hashlib
import hmac

SECRET_PREFIX = "whsec_"


def signing_key(secret: str) -> bytes:
    """The HMAC key: the base64 part of a `whsec_...` secret, decoded.

    A bare base64 secret is accepted too, as the reference libraries do. Raises
    ValueError when the secret is not base64 or decodes to nothing, so a broken
    secret is reported instead of silently signing with a weak key.
    """
    encoded = secret[len(SECRET_PREFIX) :] if secret.startswith(SECRET_PREFIX) else secret
    key = base64.b64decode(encoded, validate=True)
    if not key:
        raise ValueError("webhook secret is empty")
    return key


def sign(secret: str, message_id: str, timestamp: int, body: str) -> str:
    """The `webhook-signature` header value for exactly these body bytes."""
    signed_content = f"{message_id}.{timestamp}.{body}".encode()
    digest = hmac.new(signing_key(secret), signed_content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()
