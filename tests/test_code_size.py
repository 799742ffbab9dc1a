"""Small enough to change without fear: no module over 400 lines, no function over 60 (read
with ``ast``, nothing imported). A module still being split is listed with its reason (take it
off once it fits)."""

from __future__ import annotations

import ast
from pathlib import Path

import hingecoach

PACKAGE_DIR = Path(hingecoach.__file__).resolve().parent
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
#: module (relative to the package) -> why it is still over MAX_MODULE_LINES
BEING_SPLIT: dict[str, str] = {}


def _modules() -> list[Path]:
    return sorted(PACKAGE_DIR.rglob("*.py"))


def test_no_module_is_over_400_lines():
    long = {p.relative_to(PACKAGE_DIR).as_posix(): n for p in _modules()
            if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES}
    assert set(long) - set(BEING_SPLIT) == set(), long


def test_no_function_is_over_60_lines():
    long = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                if (n := (node.end_lineno or node.lineno) - first + 1) > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(PACKAGE_DIR)}:{node.lineno} {node.name} ({n} lines)")
    assert not long, long
