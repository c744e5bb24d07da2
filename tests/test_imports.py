"""The import graph: no cycle anywhere, and the house rules on who imports whom."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PACKAGES = ("spiders", "storage", "monitor", "replica", "bench")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "data" in path.relative_to(ROOT / package).parts:
                continue
            found[_module_name(path)] = path
    return found


MODULES = _modules()


def _imported(name: str, path: Path) -> set[str]:
    """Every module name `name` imports, at any depth of its code (functions too)."""
    is_package = path.name == "__init__.py"
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _internal(target: str) -> str | None:
    """The project module `target` resolves to (the longest known prefix)."""
    parts = target.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in MODULES:
            return candidate
        parts.pop()
    return None


def _graph() -> dict[str, set[str]]:
    graph = {}
    for name, path in MODULES.items():
        edges = {_internal(target) for target in _imported(name, path)}
        edges.discard(None)
        edges.discard(name)
        # A package's own __init__ importing is not a cycle through its children
        graph[name] = {edge for edge in edges if not name.startswith(edge + ".")}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[tuple[str, ...]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for edge in sorted(graph[node]):
            if edge not in index:
                visit(edge)
                low[node] = min(low[node], low[edge])
            elif edge in on_stack:
                low[node] = min(low[node], index[edge])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(tuple(sorted(component)))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_walk_sees_every_package():
    assert {name.split(".")[0] for name in MODULES} == set(PACKAGES)
    graph = _graph()
    assert "storage.migrations" in graph["storage.snapshots"]
    assert "replica.generate" in graph["replica.catalog"]
    assert "monitor.digest.send" in graph["monitor.cli.alert"]  # in a function


def test_no_import_cycle():
    cycles = _cycles(_graph())
    assert not cycles, "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


def _imports_of(package: str) -> dict[str, set[str]]:
    return {
        name: _imported(name, path)
        for name, path in MODULES.items()
        if name.split(".")[0] == package
    }


def _offenders(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{name} imports {target}"
        for name, targets in _imports_of(package).items()
        for target in targets
        if target.split(".")[0] in forbidden
    )


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("storage", ("spiders", "monitor", "scrapy")),
        ("monitor", ("spiders", "scrapy")),
        ("replica", ("spiders", "storage", "monitor")),
    ],
)
def test_import_rules(package, forbidden):
    assert _offenders(package, forbidden) == []


def test_a_forbidden_import_is_seen(tmp_path):
    """The walk finds an import hidden inside a function."""
    path = tmp_path / "m.py"
    path.write_text("def f():\n    from monitor import config\n    import scrapy\n")
    assert {"monitor", "monitor.config", "scrapy"} <= _imported("storage.m", path)
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [
        ("a", "b", "c")
    ]
