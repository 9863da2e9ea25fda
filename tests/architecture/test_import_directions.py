"""The shape of the code, checked: apps import only apps below them, and reads never import
writes. `docs/architecture.md` draws the same layers; change both together.

Imports are read from the source (every ``import``, also inside functions), not by importing
the modules, so the test needs no database and sees imports that run only on some paths."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "archivox"

# Lower numbers are lower layers. An app may import its own layer's modules only when they
# are its own, and any app of a lower layer.
LAYERS: dict[str, int] = {
    "(settings)": -1,  # archivox/settings.py: configuration, readable from anywhere
    "core": 0,  # archives, people, roles, audit, screening, the access module
    "platforms": 1,  # WeChat, Weibo and mail protocols; the shared access tokens
    "catalog": 2,  # descriptions and the access gateway every public surface goes through
    "notifications": 2,  # one message to a known person, once: WeChat template, window, e-mail
    "consultations": 3,  # the archive's services to the public, side by side
    "reservations": 3,
    "polls": 3,
    "harvesting": 3,  # other repositories' records over OAI-PMH: the union catalog
    "collecting": 3,  # collecting from the public: offers reviewed into the catalog
    "records_requests": 3,  # records-use requests (查档), cross-archive service, certified copies
    "survey": 4,  # reads the consultations' timings for monitoring
    "publishing": 5,  # records its own posts in the survey
    "exhibitions": 6,  # books events through reservations
    "topics": 6,  # shows posts and shares the polls' identities
    "current_documents": 6,  # 现行文件: catalog items announced through the publishing desk
    "promotion": 7,  # posters, and demand analytics read from the services below
    "service_hall": 6,  # the WeChat account as the archive's service hall: menu, share cards
    "sandbox": 7,  # stand-ins for the platforms; never mounted in production
    "portal": 8,  # the public site over every service
    "console": 8,  # the staff console shell over every service
    "(project)": 9,  # urls.py, api.py, settings.py, wsgi.py
}


def app_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "archivox":
        return None
    if parts[1:2] == ["settings"]:
        return "(settings)"
    if len(parts) == 1 or not (PACKAGE / parts[1]).is_dir():
        return "(project)"
    return parts[1]


@cache
def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


@cache
def imports_of(module: str) -> frozenset[str]:
    """The archivox modules ``module`` imports, resolved to modules that exist; relative imports
    resolved, and the packages on the way counted too (importing ``a.b.c`` runs ``a.b``)."""
    path = modules()[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        for name in found:
            parts = name.split(".")
            names.update(".".join(parts[:end]) for end in range(1, len(parts) + 1))
    # The root package is only the namespace every import goes through.
    return frozenset(n for n in names if n in modules() and n not in {module, "archivox"})


def test_every_app_is_given_a_layer():
    apps = {app_of(module) for module in modules()}
    assert apps <= set(LAYERS), f"give these a layer in LAYERS: {sorted(apps - set(LAYERS))}"


def test_no_app_imports_an_app_of_its_own_or_a_higher_layer():
    wrong = []
    for module in sorted(modules()):
        source = app_of(module)
        for target in sorted(imports_of(module)):
            other = app_of(target)
            if other != source and LAYERS[other] >= LAYERS[source]:
                wrong.append(f"{module} ({source}, {LAYERS[source]}) imports {target} ({other})")
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def is_write(module: str) -> bool:
    return "services" in module.split(".")


# Read-only modules not named selectors: the WeChat callback's answer from memory must not
# reach the inbox's writes.
OTHER_READS = {
    "archivox.consultations.replies",
    "archivox.consultations.rules",
    "archivox.consultations.wechat_callback",
}


def is_read(module: str) -> bool:
    return "selectors" in module.split(".") or module in OTHER_READS


def test_reads_never_import_writes_even_indirectly():
    wrong = []
    for module in sorted(m for m in modules() if is_read(m)):
        seen: set[str] = set()
        path: dict[str, str] = {}
        stack = [module]
        while stack:
            current = stack.pop()
            for target in imports_of(current):
                if target in seen:
                    continue
                seen.add(target)
                path[target] = current
                if is_write(target):
                    chain = [target]
                    while chain[-1] != module:
                        chain.append(path[chain[-1]])
                    wrong.append(" <- ".join(chain))
                else:
                    stack.append(target)
    assert not wrong, "reads that import writes:\n" + "\n".join(wrong)
