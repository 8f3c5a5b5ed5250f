"""Data-driven cleaner cases: tests/cases/clean/*.json.

Each case has a "comment" (why it exists), an "input", and any of
"expected_text", "expected_edits" (partial edit dicts, each must match one
edit), "must_contain", "must_not_contain", "expected_meta" (exact).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dedup.clean import clean
from dedup.clean.offsets import check_offsets

CASES = sorted((Path(__file__).parent / "cases" / "clean").glob("*.json"))


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf8"))
    return data


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case(path: Path) -> None:
    case = _load(path)
    assert case.get("comment"), f"{path.name} must say why it exists"
    r = clean(case["input"])
    check_offsets(r.offsets, r.text, case["input"])
    if "expected_text" in case:
        assert r.text == case["expected_text"], r.explain()
    for s in case.get("must_contain", []):
        assert s in r.text, r.explain()
    for s in case.get("must_not_contain", []):
        assert s not in r.text, r.explain()
    if "expected_meta" in case:
        assert r.meta == case["expected_meta"]
    for want in case.get("expected_edits", []):
        assert any(all(e.to_dict()[k] == v for k, v in want.items()) for e in r.edits), (want, r.explain())
    # Every case is also a fixed point.
    assert clean(r.text).text == r.text


def test_there_are_cases() -> None:
    assert len(CASES) >= 15
