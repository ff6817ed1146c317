"""The README's Python examples run as written, the client one against a real server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from sourcing.models.access.keys import create_key
from sourcing.models.db.engine import session_factory
from sourcing.server.app import create_server
from sourcing.server.auth.devcerts import DevCa
from sourcing.server.auth.settings import Security, TlsFiles

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)


@pytest.fixture
def address(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A TLS server requiring keys on a fresh SQLite file; the client reads SOURCING_* variables."""
    ca = DevCa()
    issued = ca.issue("localhost", server=True)
    for name, data in (("ca.pem", ca.cert_pem), ("s.pem", issued.cert_pem)):
        (tmp_path / name).write_bytes(data)
    (tmp_path / "s.key").write_bytes(issued.key_pem)
    security = Security(require_auth=True, tls=TlsFiles(tmp_path / "s.pem", tmp_path / "s.key"))
    running = create_server(f"sqlite:///{tmp_path / 'readme.db'}", security=security)
    key, _ = create_key(session_factory(running.engine), name="readme", role="admin")
    monkeypatch.setenv("SOURCING_ADDRESS", f"localhost:{running.port}")
    monkeypatch.setenv("SOURCING_CA", str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SOURCING_KEY", key)
    try:
        yield f"localhost:{running.port}"
    finally:
        running.stop(grace_s=1.0)


def test_readme_has_python_examples() -> None:
    """The README shows the library and the client in Python."""
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_python_block_runs(block: str, address: str) -> None:
    """Each ```python block of the README executes without error."""
    exec(compile(block, str(README), "exec"), {"__name__": "readme"})
