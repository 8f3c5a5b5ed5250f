"""``dedup export --format parquet -o FILE``: the CSV export's columns, typed where Parquet can say more,
read back with pyarrow; one line and a non-zero status when it cannot be written (no file, no pyarrow)."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from dedup.corpus import Corpus
from dedup.export import CSV_FIELDS, write_export
from tests.conftest import invoke

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

STORY = ("The harbour board approved the new pier on Monday after a long debate about its cost and its size. "
         "Fishermen had asked for a longer quay for years, and the ferry company wants a second berth for the "
         "summer season, when the island crossings are full every morning.")
OTHER = ("Farmers in the valley said the late frost destroyed most of the apricot harvest this spring. The "
         "cooperative will ask the region for help, and some growers plan to cover their trees with nets next "
         "year to keep the cold off the blossom.")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("parquet")
    records = [
        {"id": "a", "text": STORY, "outlet": "Bugle", "date": "2024-05-01", "title": "Pier", "section": "port"},
        {"id": "b", "text": STORY, "publisher": "Planet", "date": "2024-05-02"},
        {"id": "c", "text": OTHER, "outlet": "Farm News", "author": "R. Field", "url": "https://farm.example/c"},
    ]
    (folder / "in").mkdir()
    (folder / "in" / "r.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    path = folder / "d.db"
    res = invoke("run", str(folder / "in"), "--db", str(path), "-q", "--workers", "1")
    assert res.exit_code == 0, res.stderr
    return path


def _rows(path: Path) -> list[dict[str, Any]]:
    return sorted(pq.read_table(path).to_pylist(), key=lambda r: r["id"])


def test_parquet_export_reads_back_with_typed_columns(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.parquet"
    res = invoke("export", "--db", str(db), "--format", "parquet", "-o", str(out))
    assert res.exit_code == 0 and res.stderr == f"wrote 3 records to {out}\n"
    table = pq.read_table(out)
    fields = list(CSV_FIELDS)
    fields.insert(fields.index("members") + 1, "cluster_size")
    assert table.column_names == fields
    types = {f.name: f.type for f in table.schema}
    assert (types["canonical"], types["cluster_size"], types["completeness"], types["extra"]) == (
        pa.bool_(), pa.int64(), pa.float64(), pa.string())
    assert pa.types.is_list(types["members"]) and types["members"].value_type == pa.string()
    rows = _rows(out)
    cluster = rows[0]["cluster"]
    assert cluster == rows[1]["cluster"] and cluster != rows[2]["cluster"]
    assert [(r["id"], r["canonical"], r["members"], r["cluster_size"], r["title"], r["outlet"], r["date"],
             r["author"], r["url"], r["completeness"], json.loads(r["extra"]), r["text"]) for r in rows] == [
        ("a", True, ["a", "b"], 2, "Pier", "Bugle", "2024-05-01", None, None, 1.0, {"section": "port"}, STORY),
        # (the title is inferred from its copy, as in every export)
        ("b", False, ["a", "b"], 2, "Pier", "Planet", "2024-05-02", None, None, 1.0, {}, STORY),
        ("c", True, ["c"], 1, None, "Farm News", None, "R. Field", "https://farm.example/c", 1.0, {}, OTHER),
    ]
    # the same records as the CSV export, field by field
    buf = io.StringIO()
    with Corpus.open(str(db)) as corpus:
        write_export(corpus, buf, "csv")
    import csv

    for got, want in zip(rows, sorted(csv.DictReader(io.StringIO(buf.getvalue())), key=lambda r: r["id"]),
                         strict=True):
        assert json.dumps(got["members"]) == want["members"]
        assert [got[k] for k in ("quotes", "quoted_by", "citations", "extra")] == [
            want[k] for k in ("quotes", "quoted_by", "citations", "extra")]


def test_parquet_canonical_only(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "canon.parquet"
    assert invoke("export", "--db", str(db), "--format", "parquet", "--canonical-only", "-o", str(out)).exit_code == 0
    assert [(r["id"], r["cluster_size"]) for r in _rows(out)] == [("a", 2), ("c", 1)]


def test_parquet_is_never_written_to_standard_output(db: Path) -> None:
    res = invoke("export", "--db", str(db), "--format", "parquet")
    assert res.exit_code == 2 and res.stdout == ""
    assert res.stderr == ("Error: --format parquet writes a binary file, not text for a terminal or a pipe: give the "
                          "file with -o FILE\n")


def test_without_pyarrow_one_line_names_the_extra(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "pyarrow" or m.startswith("pyarrow.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # (import pyarrow raises ImportError)
    out = tmp_path / "x.parquet"
    res = invoke("export", "--db", str(db), "--format", "parquet", "-o", str(out))
    assert res.exit_code == 2 and not out.exists()
    assert res.stderr == "Error: parquet export needs pyarrow: pip install 'article-dedup[parquet]'\n"


def test_write_export_refuses_parquet_to_a_text_stream(db: Path) -> None:
    with Corpus.open(str(db)) as corpus, pytest.raises(ValueError, match="use write_parquet"):
        write_export(corpus, io.StringIO(), "parquet")
