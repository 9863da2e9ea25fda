"""Reads never import writes: the read-only modules of consultations reach no service module,
directly or through others, lazy (function-level) imports included."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
READS = [
    "archivox.consultations.selectors",
    "archivox.consultations.replies",
    "archivox.consultations.rules",
    "archivox.consultations.wechat_callback",
]


def _path(module: str) -> Path | None:
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def _imports(module: str) -> set[str]:
    """The archivox modules ``module`` imports anywhere in its body (importing ``a.b.c`` runs
    ``a``, ``a.b`` and ``a.b.c``)."""
    path = _path(module)
    if path is None:
        return set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        for name in names:
            parts = name.split(".")
            for end in range(1, len(parts) + 1):
                prefix = ".".join(parts[:end])
                if prefix.startswith("archivox") and _path(prefix):
                    found.add(prefix)
    return found


@pytest.mark.parametrize("start", READS)
def test_a_read_module_reaches_no_service_module(start):
    parent: dict[str, str] = {}
    seen, todo = {start}, [start]
    while todo:
        current = todo.pop()
        for name in _imports(current) - seen:
            seen.add(name)
            parent[name] = current
            todo.append(name)
    writes = sorted(name for name in seen if "services" in name.split("."))
    chains = []
    for name in writes:
        chain = [name]
        while chain[-1] in parent:
            chain.append(parent[chain[-1]])
        chains.append(" <- ".join(chain))
    assert not chains, chains
