"""The README's Python examples run as written, the client one against a real server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from sourcing.server.app import create_server

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)


@pytest.fixture
def address(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A server on a fresh SQLite file; the client example reads SOURCING_ADDRESS."""
    running = create_server(f"sqlite:///{tmp_path / 'readme.db'}")
    monkeypatch.setenv("SOURCING_ADDRESS", f"127.0.0.1:{running.port}")
    try:
        yield f"127.0.0.1:{running.port}"
    finally:
        running.stop(grace_s=1.0)


def test_readme_has_python_examples() -> None:
    """The README shows the library and the client in Python."""
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_python_block_runs(block: str, address: str) -> None:
    """Each ```python block of the README executes without error."""
    exec(compile(block, str(README), "exec"), {"__name__": "readme"})
