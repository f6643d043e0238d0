"""The keyed-hash pseudonym: the only person identifier the analytics side ever sees.

Pure Python (no Django) so that ingest and the web app compute the same value. Without
the key the pseudonym cannot be reversed or recomputed from an NHS number.
"""

import hashlib
import hmac

PSEUDONYM_LENGTH = 32  # hex characters: 128 bits, no collisions at national scale


def pseudonymise(nhs_number: str, key: str) -> str:
    """HMAC-SHA256 of the NHS number under the key, as lower-case hex."""
    if not key:
        raise ValueError("A pseudonym key is required.")
    digest = hmac.new(key.encode(), nhs_number.encode(), hashlib.sha256).hexdigest()
    return digest[:PSEUDONYM_LENGTH]
