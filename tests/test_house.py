"""The house rules of ../shared/design/house.md, held by the tree itself.

- The algorithm (``clean/``, ``fingerprint``, ``cluster``, ``reuse/``) imports nothing of how it is
  run: no pickle, tempfile, process or thread pools, no store, no runtime.
- Modules stay readable in one sitting (≤ 800 lines; ``store.py`` is one concept and exempt) and
  classes ≤ 300 lines.
- The Spark engine uses only public names of other modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "dedup"
ALGORITHM = ["clean", "fingerprint.py", "cluster", "reuse"]
FORBIDDEN = ("pickle", "tempfile", "concurrent", "multiprocessing", "threading", "dedup.store", "dedup.runtime",
             "dedup.engines", "sqlite3", "sqlite_utils")


def _modules(*names: str) -> list[Path]:
    out: list[Path] = []
    for name in names:
        path = PKG / name
        out.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path] if path.exists() else [])
    return out


def _imports(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):  # nested (lazy) imports count too
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append(node.module)
            found.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize("path", _modules(*ALGORITHM), ids=lambda p: str(p.relative_to(PKG)))
def test_algorithm_modules_know_nothing_of_how_they_run(path: Path) -> None:
    bad = sorted({name for name in _imports(ast.parse(path.read_text())) for f in FORBIDDEN
                  if name == f or name.startswith(f + ".")})
    assert not bad, f"{path.relative_to(PKG)} imports {bad}: the algorithm must stay pure (house.md)"


def test_modules_and_classes_stay_small() -> None:
    too_big = []
    for path in sorted(PKG.rglob("*.py")):
        lines = path.read_text().count("\n")
        if path.name == "store.py":  # one concept, kept whole (house.md)
            continue
        if lines > 800:
            too_big.append(f"{path.relative_to(PKG)}: {lines} lines")
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and node.end_lineno and node.end_lineno - node.lineno + 1 > 300:
                too_big.append(f"{path.relative_to(PKG)}:{node.name}: {node.end_lineno - node.lineno + 1} lines")
    assert not too_big, "modules over 800 lines or classes over 300 lines: " + "; ".join(too_big)


def test_spark_engine_uses_only_public_names() -> None:
    tree = ast.parse((PKG / "engines" / "spark.py").read_text())
    private = []
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("dedup"):
            private.extend(f"{node.module}.{a.name}" for a in node.names
                           if a.name.startswith("_") and not a.name.startswith("__"))
            modules.update(a.asname or a.name for a in node.names)
        elif isinstance(node, ast.Import):
            modules.update(a.asname or a.name for a in node.names if a.name.startswith("dedup"))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules
                and node.attr.startswith("_") and not node.attr.startswith("__")):
            private.append(f"{node.value.id}.{node.attr}")
    assert not private, f"the Spark engine reaches into private names: {sorted(set(private))}"
