"""Write the ``// Limit:`` comment of every request field into proto/sourcing/v1/*.proto.

The limits live in sourcing/server/boundary/limits.py; run this after changing
them (tests/server/test_limits.py fails until the comments agree). Comments do
not change the generated code.
"""

from __future__ import annotations

from pathlib import Path

from sourcing.server.boundary.proto_text import with_limits

PROTO_DIR = Path(__file__).resolve().parent.parent / "proto" / "sourcing" / "v1"


def main() -> None:
    for path in sorted(PROTO_DIR.glob("*.proto")):
        text = path.read_text(encoding="utf-8")
        updated = with_limits(text)
        if updated != text:
            path.write_text(updated, encoding="utf-8")
            print(f"updated {path.name}")


if __name__ == "__main__":
    main()
