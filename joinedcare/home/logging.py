"""Keep NHS numbers out of logs, whatever a message or URL happens to carry; keep refusals
to one line."""

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


class RefusalsWithoutTraceback(logging.Filter):
    """A refused request (403) is logged as its one line, "Forbidden (Permission denied):
    /path", without the traceback Django attaches: a refusal is the access rule working,
    not a fault, and tracebacks would bury the real errors an operator looks for."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = record.exc_text = None
        return True
