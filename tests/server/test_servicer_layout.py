"""Servicers only convert and call: every transaction is owned by a use case in the models.

Read from the source with ``ast``, so it needs nothing running. A servicer
that opened a transaction itself (``run_in_transaction``, ``sessions.begin()``,
``sessions()``) or called a models function that takes a ``Session`` would
own a transaction the use case should own.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "sourcing" / "server"
# app.py builds the engine and the sessionmaker the servicers are given;
# convert/ turns messages into domain values and back, with no session.
THIN = sorted(p for p in SERVER.glob("*.py") if p.name not in {"__init__.py", "app.py"})
# What opens a transaction or a session; only the models call these.
TRANSACTION_HELPERS = {"run_in_transaction", "until_it_holds", "session_factory"}
TRANSACTION_MODULES = {"sourcing.models.db.retry", "sourcing.models.db.engine"}


def _module_path(module: str) -> Path | None:
    base = ROOT / Path(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def _takes_session(module: str, name: str) -> bool:
    """Whether ``module.name`` is a function with a parameter annotated ``Session``."""
    path = _module_path(module)
    if path is None:
        return False
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            params = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
            return any(
                p.annotation is not None and ast.unparse(p.annotation) == "Session" for p in params
            )
    return False


def violations(source: str) -> list[str]:
    """Where ``source`` (a servicer module) opens a transaction or calls past the use cases."""
    tree = ast.parse(source)
    found: list[str] = []
    # Local name -> models module, for `from sourcing.models.x import module`.
    modules: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module in TRANSACTION_MODULES:
                found.append(f"imports from {node.module}")
            if not node.module.startswith("sourcing.models"):
                continue
            for alias in node.names:
                local = alias.asname or alias.name
                if alias.name in TRANSACTION_HELPERS:
                    found.append(f"imports {alias.name}")
                elif _module_path(f"{node.module}.{alias.name}") is not None:
                    modules[local] = f"{node.module}.{alias.name}"
                elif _takes_session(node.module, alias.name):
                    found.append(f"imports {node.module}.{alias.name}, which takes a Session")
        elif isinstance(node, ast.Import):
            found.extend(f"imports {a.name}" for a in node.names if a.name in TRANSACTION_MODULES)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            if node.attr == "begin":
                found.append(f"opens a transaction at line {node.lineno}")
            elif isinstance(node.value, ast.Name) and node.value.id in modules:
                module = modules[node.value.id]
                if _takes_session(module, node.attr):
                    found.append(f"calls {module}.{node.attr}, which takes a Session")
        elif isinstance(node, ast.Call):
            callee = node.func
            name = callee.attr if isinstance(callee, ast.Attribute) else getattr(callee, "id", "")
            if name == "sessions":
                found.append(f"opens a session at line {node.lineno}")
    return found


@pytest.mark.parametrize("path", THIN, ids=lambda p: p.name)
def test_servicers_own_no_transaction(path: Path) -> None:
    """A servicer module never opens a transaction nor calls a function that needs a session."""
    assert violations(path.read_text()) == []


@pytest.mark.parametrize(
    "source",
    [
        "from sourcing.models.db.retry import run_in_transaction\n",
        "def f(self):\n    with self.sessions.begin() as s:\n        pass\n",
        "def f(self):\n    with self.sessions() as s:\n        pass\n",
        "from sourcing.models.config import setup\n"
        "def f(s):\n    return setup.create_location(s, None)\n",
        "from sourcing.models.orders.shipping import acknowledge\n",
    ],
    ids=["retry helper", "begin", "session", "module function", "imported function"],
)
def test_each_way_of_owning_a_transaction_is_caught(source: str) -> None:
    """The check sees every way a servicer used to open its own transaction."""
    assert violations(source) != []
