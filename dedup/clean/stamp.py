"""The version stamp of the cleaning code: a stored clean text made under another stamp is made again.

A stamp that someone must remember to bump goes stale the first time a rule's
code is edited without it, and then stored documents silently keep the old
cleaning. So the stamp is derived from what makes a clean text:

* the source text of every module of this package that cleaning executes:
  the module of clean() (:mod:`dedup.clean.cleaner`) and, transitively, the
  modules of the package it imports (found by reading their imports, so a new
  module is covered as soon as the cleaner imports it). :mod:`dedup.clean.damage`
  (a later stage, which compares clean texts) and this module are not among them;
* ``dedup/wordfind.py``, which some classifiers search with;
* ``dedup/extract.py``, ``dedup/extract_gaps.py`` and ``dedup/extract_meta.py``: an HTML document's stored text
  and metadata are clean(extract_html(page)),
  and the stamp is the only thing that makes a stored document be prepared
  again (its content hash is of the page, which did not change);
* the versions of the libraries those modules import (ftfy repairs mojibake,
  trafilatura extracts HTML) and of Python (``str`` methods and ``re`` answer
  from its Unicode database);
* the rule names and the package version, as before;
* any rule in the registry whose code is not in those modules (a test or a
  plugin put it there): its source, or its bytecode when there is none.

The sources are read once per process; a stamp is then a hash of a few
strings. Reading a source file is not importing it: this package still
imports nothing of extract or trafilatura.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import inspect
import re
import sys
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from types import CodeType
from typing import Any

_PACKAGE = "dedup.clean"
_HERE = Path(__file__).resolve().parent
#: The module of clean(): cleaning executes it and what it imports of the package.
_ENTRY = "cleaner"
#: Modules outside the package on the way to a stored clean text, beside the package directory.
_UPSTREAM = ("extract", "extract_gaps", "extract_meta", "wordfind")


def stamp(rules: Mapping[str, Callable[..., Any]]) -> str:
    """The stamp of the cleaning code with this rule registry (10 hex digits)."""
    return _stamp(tuple(rules.items()))


@lru_cache(maxsize=16)
def _stamp(rules: tuple[tuple[str, Callable[..., Any]], ...]) -> str:
    from dedup import __version__  # deferred: the package root imports this package

    digest, covered = code_digest(_HERE)
    h = hashlib.sha1(f"{digest}|{__version__}".encode())
    for name, fn in rules:
        h.update(f"|{name}={_rule_code(fn, covered)}".encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:10]


@lru_cache(maxsize=4)
def code_digest(package: Path) -> tuple[str, frozenset[str]]:
    """sha1 of the cleaning code in ``package`` (a directory laid out like this one) and the names of
    the modules it covers. Depends on the files' text only, not on where they are."""
    sources = {f"{_PACKAGE}.{name}": _read(package, name) for name in sorted(_cleaning_modules(package))}
    for name in _UPSTREAM:
        sources[f"dedup.{name}"] = (package.parent / f"{name}.py").read_text(encoding="utf-8")
    libraries = {module.split(".")[0] for text in sources.values() for level, module, _ in _imports(text) if not level}
    libraries -= {"", "dedup", "__future__", *sys.stdlib_module_names}
    h = hashlib.sha1()
    for name, text in sources.items():
        h.update(f"{name}\0{len(text)}\0{text}".encode("utf-8", "surrogatepass"))
    for lib in sorted(libraries):
        h.update(f"{lib}=={_library_version(lib)}\0".encode())
    h.update(f"python {sys.version_info[0]}.{sys.version_info[1]}".encode())
    return h.hexdigest(), frozenset(sources)


def _read(package: Path, name: str) -> str:
    path = package / (name.replace(".", "/") + ".py")
    if not path.is_file():
        path = package / name.replace(".", "/") / "__init__.py"
    return path.read_text(encoding="utf-8")


# Import statements, at any indentation (lazy imports inside functions count). Read with regexes, not
# ast: parsing and walking the package costs ~0.2 s, these ~2 ms. A line of a string that looks like an
# import can only add to what is hashed, never take away.
_FROM = re.compile(r"^[ \t]*from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]*)", re.MULTILINE)
_IMPORT = re.compile(r"^[ \t]*import[ \t]+([^\n#;]*)", re.MULTILINE)


def _imports(text: str) -> list[tuple[int, str, str]]:
    """(relative level, module, name) of every import statement of ``text``: ``from m import a``
    gives (0, "m", "a"), ``import m`` gives (0, "m", "")."""
    out: list[tuple[int, str, str]] = []
    for m in _IMPORT.finditer(text):
        out.extend((0, item.split()[0], "") for item in m.group(1).split(",") if item.strip())
    for m in _FROM.finditer(text):
        level, module = len(m.group(1)), m.group(2)
        out.extend((level, module, item.split()[0]) for item in m.group(3).strip("()").split(",") if item.split())
    return out


def _cleaning_modules(package: Path) -> set[str]:
    """The package's modules (names relative to it) that the entry module imports, transitively."""
    seen: set[str] = set()
    todo = [_ENTRY]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for level, module, item in _imports(_read(package, name)):
            if level:  # relative: against the package this module is in
                parts = [*_PACKAGE.split("."), *name.split(".")[:-1]]
                module = ".".join(p for p in [*parts[: len(parts) - level + 1], module] if p)
            # "from dedup.clean import furniture" names a module, "from dedup.clean import RULES" a name of one
            found = _submodule(f"{module}.{item}", package) if item else None
            if found is None:
                found = _submodule(module, package)
            if found is not None:
                todo.append(found)
    return seen


def _submodule(dotted: str, package: Path) -> str | None:
    """The module of the package (name relative to it) that ``dotted`` is, or None. The package
    itself is its face."""
    if dotted == _PACKAGE:
        return "__init__"
    if not dotted.startswith(_PACKAGE + "."):
        return None
    rel = dotted[len(_PACKAGE) + 1 :]
    path = package / rel.replace(".", "/")
    return rel if path.with_suffix(".py").is_file() or (path / "__init__.py").is_file() else None


def _library_version(name: str) -> str:
    """The installed version of a library imported as ``name`` ("" when its distribution has another name)."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return ""


def _rule_code(fn: Callable[..., Any], covered: frozenset[str]) -> str:
    """What of a rule goes into the stamp: its name where the source of its module is already in it,
    else its source too."""
    module = getattr(fn, "__module__", None)
    where = f"{module}.{getattr(fn, '__qualname__', type(fn).__qualname__)}"
    if module in covered:
        return where
    try:
        return f"{where}\0{inspect.getsource(fn)}"
    except (OSError, TypeError):  # defined where no source is kept (exec, a REPL) or not Python code
        code = getattr(fn, "__code__", None)
        return f"{where}\0{_code_text(code) if isinstance(code, CodeType) else repr(fn)}"


def _code_text(code: CodeType) -> str:
    """The bytecode of ``code`` and of the code nested in it, with its constants and names."""
    consts = [_code_text(c) if isinstance(c, CodeType) else repr(c) for c in code.co_consts]
    return f"{code.co_code.hex()}|{consts}|{code.co_names}"
