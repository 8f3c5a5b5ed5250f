"""A record's content hash is sha256 of its canonical JSON, whichever way the bytes are put together."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from dedup.ingest import _record_hash

_CHARS = st.sampled_from(['a', '"', "\\", "\n", "\r", "\t", "\b", "\f", "\x00", "\x1f", "\x7f", "é", "\u2028",
                          "\ud800", "😀", " ", "/", "\x0b"])
_TEXT = st.text(alphabet=_CHARS, max_size=30)
_VALUE = st.one_of(_TEXT, st.integers(), st.floats(allow_nan=False), st.none(), st.booleans(),
                   st.lists(_TEXT, max_size=3), st.dictionaries(_TEXT, _TEXT, max_size=3))


def _reference(record: Any) -> str:
    text = json.dumps(record, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@given(st.dictionaries(_TEXT, _VALUE, max_size=6))
def test_a_record_hashes_as_its_canonical_json(record: dict[str, Any]) -> None:
    assert _record_hash(record) == _reference(record)


def test_records_of_other_shapes_too() -> None:
    for record in ({}, {"text": "Line one\nLine “two”\t\\ end"}, ["x"], "s", 1, {"a": {"z": 1, "y": [2]}}):
        assert _record_hash(record) == _reference(record)
