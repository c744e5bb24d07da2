"""Modules and functions of spiders/, storage/, monitor/, replica/ and bench/ stay small
enough to read at once."""

import ast
from pathlib import Path

ROOT = Path(__file__).parent.parent
PACKAGES = ("spiders", "storage", "monitor", "replica", "bench")
MODULE_LINES = 340  # "about 300"
FUNCTION_LINES = 65  # "about 60"
# Word lists, and migrations that are applied and so never edited again.
DATA_MODULES = {"replica/names.py", "storage/migrations.py"}
FROZEN_FUNCTIONS = {"storage/migrations.py"}


def _sources():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            where = path.relative_to(ROOT)
            if "data" not in where.parts:
                yield str(where), path.read_text(encoding="utf-8")


def test_no_module_is_too_long():
    long = [
        f"{where}: {text.count(chr(10))} lines"
        for where, text in _sources()
        if where not in DATA_MODULES and text.count("\n") > MODULE_LINES
    ]
    assert long == []


def test_no_function_is_too_long():
    long = []
    for where, text in _sources():
        if where in FROZEN_FUNCTIONS:
            continue
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > FUNCTION_LINES:
                    long.append(f"{where}:{node.lineno} {node.name} ({lines} lines)")
    assert long == []
