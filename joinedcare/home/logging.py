"""Keep NHS numbers out of logs, whatever a message or URL happens to carry."""

import logging
import re

# Ten digits, optionally spaced 3-3-4: how NHS numbers are written.
_NHS_NUMBER = re.compile(r"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)")


def redact(text: str) -> str:
    return _NHS_NUMBER.sub("[redacted]", text)


class RedactIdentifiers(logging.Filter):
    """Rewrites each record's message with anything like an NHS number redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
