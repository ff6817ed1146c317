"""The Node example (examples/node) sources an order and reads it back from a real server.

Runs when ``node`` is on the PATH and ``npm ci --prefix examples/node`` has
installed its packages; skips saying which is missing otherwise.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from sourcing.models.db.engine import session_factory
from sourcing.server.app import RunningServer
from tests.models.builders import add_location, add_position, add_product

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "node"
TIMEOUT_S = 60


@pytest.fixture
def node() -> str:
    """The node executable, or a skip saying what to install."""
    found = shutil.which("node")
    if found is None:
        pytest.skip("node is not on the PATH; the Node example is not run")
    if not (EXAMPLE / "node_modules" / "@grpc" / "grpc-js").is_dir():
        pytest.skip("examples/node/node_modules is missing: run npm ci --prefix examples/node")
    return found


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_node_client_sources_and_reads_back(node: str, server: RunningServer) -> None:
    """The example's Source places the order at the stocked store and GetOrder returns it."""
    with session_factory(server.engine).begin() as session:
        product = add_product(session, "SKU_NODE")
        store = add_location(session, "NODE_STORE", latitude=0.0, longitude=0.1)
        add_position(session, product, store, 5)
    finished = subprocess.run(
        [node, "source_order.js", f"127.0.0.1:{server.port}", "NODE_1", "SKU_NODE"],
        cwd=EXAMPLE,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    answer = json.loads(finished.stdout.strip().splitlines()[-1])
    assert answer == {
        "health": "SERVING",
        "fulfilments": ["NODE_STORE"],
        "order_ref": "NODE_1",
        "order_status": answer["order_status"],
    }
    assert answer["order_status"].startswith("ORDER_STATUS_")
