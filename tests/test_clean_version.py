"""The clean version (dedup.clean.version) is derived from the cleaning code, so it cannot go stale.

It must change when the code that makes a clean text changes (a rule's source, a module the cleaner
imports, the HTML extraction, a rule injected into the registry) and only then: the same code gives
the same stamp in every call and every process, and a stage that does not clean (damage) is not in it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import dedup
from dedup.clean import RULES, repair, version
from dedup.clean.offsets import Fix
from dedup.clean.stamp import code_digest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "dedup" / "clean"


def _copy(tmp: Path, name: str, edit: Callable[[Path], None] | None = None) -> Path:
    """A copy of the clean package (and the modules beside it that cleaning runs) under ``tmp/name``, edited."""
    top = tmp / name / "dedup"
    shutil.copytree(PACKAGE, top / "clean", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("extract.py", "extract_gaps.py", "extract_meta.py", "wordfind.py"):
        shutil.copy(ROOT / "dedup" / name, top / name)
    if edit is not None:
        edit(top)
    return top / "clean"


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_version_is_a_short_hex_stamp_stable_across_calls() -> None:
    v = version()
    assert len(v) == 10 and int(v, 16) >= 0
    assert version() == v


def test_version_is_the_same_in_another_process() -> None:
    code = "from dedup.clean import version; print(version())"
    out = {subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True)
           .stdout.strip() for _ in range(2)}  # fmt: skip
    assert out == {version()}


def test_the_digest_covers_the_modules_cleaning_executes() -> None:
    _digest, covered = code_digest(PACKAGE)
    assert covered == {f"dedup.clean.{m}" for m in ("cleaner", "corpus", "furniture", "head_meta", "lines",
                                                    "metadata", "notices", "offsets", "page", "repair", "tail",
                                                    "rules")} | {"dedup.extract", "dedup.extract_gaps",
                                                                 "dedup.extract_meta", "dedup.wordfind"}  # fmt: skip


def test_editing_a_rule_changes_the_digest(tmp_path: Path) -> None:
    base = code_digest(PACKAGE)[0]
    # a copy elsewhere is the same code: the digest does not depend on where the files are
    assert code_digest(_copy(tmp_path, "same"))[0] == base

    def widen_byline(top: Path) -> None:
        _replace(top / "clean" / "furniture.py", "if n > (14 if edge else 10) or len(line) > 160:",
                 "if n > (14 if edge else 10) or len(line) > 161:")

    def comment_in_repair(top: Path) -> None:
        (top / "clean" / "repair.py").write_text((top / "clean" / "repair.py").read_text() + "\n# a comment\n")

    def edit_extraction(top: Path) -> None:
        _replace(top / "extract.py", "\"include_tables\": True", "\"include_tables\": False")

    def edit_word_search(top: Path) -> None:
        _replace(top / "wordfind.py", "overlapping=True)  # type", "overlapping=False)  # type")

    def edit_damage(top: Path) -> None:  # a later stage: it does not make clean text
        (top / "clean" / "damage.py").write_text((top / "clean" / "damage.py").read_text() + "\nMERGE_WORDS = 2\n")

    digests = {name: code_digest(_copy(tmp_path, name, edit))[0]
               for name, edit in [("byline", widen_byline), ("repair", comment_in_repair),
                                  ("extract", edit_extraction), ("words", edit_word_search),
                                  ("damage", edit_damage)]}  # fmt: skip
    assert digests["damage"] == base
    changed = [digests[k] for k in ("byline", "repair", "extract", "words")]
    assert base not in changed and len(set(changed)) == 4


def test_a_module_the_cleaner_starts_to_import_is_covered(tmp_path: Path) -> None:
    def add_helper(top: Path, body: str) -> None:
        (top / "clean" / "helper.py").write_text(body)
        # imported lazily, inside a function, as a name of the package
        _replace(top / "clean" / "cleaner.py", "def _detail(rule: str) -> str:\n",
                 "def _detail(rule: str) -> str:\n    from dedup.clean import helper  # noqa: F401\n")

    one = _copy(tmp_path, "one", lambda top: add_helper(top, "LIMIT = 1\n"))
    two = _copy(tmp_path, "two", lambda top: add_helper(top, "LIMIT = 2\n"))
    assert "dedup.clean.helper" in code_digest(one)[1]
    assert code_digest(one)[0] != code_digest(two)[0]


def _strip_xyz(line: str) -> list[Fix]:
    return [(0, 4, "")] if line.startswith("XYZ ") else []


def _strip_abc(line: str) -> list[Fix]:
    return [(0, 4, "")] if line.startswith("ABC ") else []


def test_an_injected_rule_changes_the_version(monkeypatch: pytest.MonkeyPatch) -> None:
    base = version()
    monkeypatch.setitem(RULES, "date-prefix", _strip_xyz)
    xyz = version()
    assert xyz != base and version() == xyz
    # another body under the same name is another version
    monkeypatch.setitem(RULES, "date-prefix", _strip_abc)
    assert version() not in (base, xyz)
    # so is a rule of the package put under another name
    monkeypatch.setitem(RULES, "date-prefix", repair.glued_comma)
    assert version() not in (base, xyz)
    # a new rule name too
    monkeypatch.undo()
    monkeypatch.setitem(RULES, "a-new-rule", repair.glued_comma)
    assert version() != base
    monkeypatch.undo()
    assert version() == base


def test_a_changed_rule_recleans_stored_documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # What the stamp is for: a database cleaned by other code is cleaned again, without a flag or a bump.
    db = str(tmp_path / "run.db")
    body = "XYZ The council met on Tuesday to discuss the budget. The vote was close, and the mayor said so."
    records = [{"id": "a", "text": body}, {"id": "b", "text": "A different story altogether, told in full here."}]
    first = dedup.run_records(records, db=db, workers=1)
    assert next(d.text for d in first.documents if d.id == "a").startswith("XYZ ")
    # the first line's prefix rule now strips "XYZ " (workers=1: cleaning runs in this process)
    monkeypatch.setitem(RULES, "date-prefix", _strip_xyz)
    second = dedup.run_records(records, db=db, workers=1)
    texts = {d.id: d.text for d in second.documents}
    assert texts["a"] == body[4:]
    assert texts["b"] == "A different story altogether, told in full here."
