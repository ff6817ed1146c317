"""``--log-format json``: every log record as one JSON object per line."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

# The attribute a call's log record carries its fields under (see JsonLogInterceptor).
CALL_FIELDS = "sourcing_call"


class JsonFormatter(logging.Formatter):
    """``ts``, ``level``, ``logger`` and ``message``, plus a call's own fields when it has them."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        line: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(getattr(record, CALL_FIELDS, {}))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line)


def configure_logging(log_format: str) -> None:
    """Log INFO and up to stderr, as text lines (``text``) or JSON lines (``json``)."""
    if log_format not in ("text", "json"):
        raise ValueError(f"Expected log_format 'text' or 'json', got {log_format!r}.")
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
