"""Parquet inputs (issue 21's "Parquet with a text or html column"): one document per row, columns
mapped as CSV headers are, typed cells as a CSV export holds them, every problem one line naming the
file, and the same documents from a table whether it is stored as CSV or as Parquet."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
from pathlib import Path

import pytest

from dedup.engines.local import run
from dedup.ingest import RawInput, iter_inputs
from dedup.ingest_fields import CsvColumns
from dedup.models import Problem
from tests.conftest import SEEDS, invoke, seeds_parquet

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

STORY = "The council approved the new river bridge on Tuesday after a long debate. " * 6


def _read(*paths: Path, columns: CsvColumns | None = None) -> tuple[list[RawInput], list[str]]:
    docs, problems = [], []
    for item in iter_inputs([str(p) for p in paths], csv_columns=columns):
        (problems.append(str(item)) if isinstance(item, Problem) else docs.append(item))
    return docs, problems


def test_rows_become_documents_with_their_fields_and_typed_cells_as_text(tmp_path: Path) -> None:
    path = tmp_path / "lake.parquet"
    pq.write_table(pa.table({
        "article_id": ["a1", None],
        "headline": ["Bridge approved", "Second"],
        "publisher": ["Valley Times", None],
        "published": [dt.date(2024, 1, 2), None],
        "body": [STORY, "Another story entirely, about the harbour and its new cranes. " * 5],
        "words": [84, 50],
        "tags": [["river", "council"], None],
        "crawled": [dt.datetime(2024, 1, 3, 4, 5, 6), dt.datetime(2024, 1, 3, 4, 5, 7)],
    }), path, row_group_size=1)  # (two row groups: rows are numbered across them)
    docs, problems = _read(path)
    assert problems == []
    assert [(d.id, d.kind, d.title, d.outlet, d.date) for d in docs] == [
        ("a1", "text", "Bridge approved", "Valley Times", "2024-01-02"),
        ("lake.parquet:2", "text", "Second", None, None)]
    assert docs[0].body == STORY
    assert docs[0].extra == {"words": "84", "tags": '["river", "council"]', "crawled": "2024-01-03T04:05:06"}
    assert docs[1].extra["tags"] == ""


def test_the_same_table_as_csv_and_as_parquet_gives_the_same_documents(tmp_path: Path) -> None:
    rows = [["id", "title", "outlet", "date", "text", "section"],
            ["x1", "One", "Daily", "2024-05-06", STORY, "local"],
            ["x2", "Two", "Weekly", "2024-05-07", STORY.upper(), ""]]
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    (tmp_path / "csv").mkdir()
    (tmp_path / "pq").mkdir()
    (tmp_path / "csv" / "t.csv").write_text(buf.getvalue(), encoding="utf-8")
    pq.write_table(pa.table({name: [r[k] for r in rows[1:]] for k, name in enumerate(rows[0])}),
                   tmp_path / "pq" / "t.parquet")

    def fields(d: RawInput) -> tuple[object, ...]:
        return d.id, d.kind, d.body, d.title, d.outlet, d.date, d.content_hash, json.dumps(d.extra, sort_keys=True)

    from_csv, from_parquet = _read(tmp_path / "csv")[0], _read(tmp_path / "pq")[0]
    assert len(from_csv) == 2
    assert [fields(d) for d in from_parquet] == [fields(d) for d in from_csv]


def test_columns_named_by_the_options_and_html_cells(tmp_path: Path) -> None:
    path = tmp_path / "pages.parquet"
    html = f"<html><head><title>Bridge</title></head><body><article><p>{STORY}</p></article></body></html>"
    pq.write_table(pa.table({"contenido": [STORY, None], "pagina": [None, html], "clave": ["k1", "k2"]}), path)
    docs, problems = _read(path, columns=CsvColumns(text="contenido", html="pagina", id="clave"))
    assert problems == []
    assert [(d.id, d.kind) for d in docs] == [("k1", "text"), ("k2", "html")]
    result = run([str(path)], db=str(tmp_path / "r.db"),
                 csv_columns=CsvColumns(text="contenido", html="pagina", id="clave"))
    assert {d.id: d.text.split("\n\n")[0][:30] for d in result.documents} == {
        "k1": STORY[:30], "k2": STORY[:30]}
    assert [sorted(c.members) for c in result.clusters if len(c.members) > 1] == [["k1", "k2"]]


def test_bad_parquet_files_are_one_line_each_and_the_run_goes_on(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    pq.write_table(pa.table({"text": [STORY]}), folder / "good.parquet")
    (folder / "broken.parquet").write_bytes(b"PAR1 this is not a Parquet file at all")
    good = (folder / "good.parquet").read_bytes()
    (folder / "cut.parquet").write_bytes(good[: len(good) // 2])
    pq.write_table(pa.table({"headline": ["no text column"]}), folder / "notext.parquet")
    pq.write_table(pa.table({"text": pa.array([], pa.string())}), folder / "empty.parquet")
    result = invoke("run", str(folder), "--db", str(tmp_path / "r.db"), "-q")
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 4, lines
    assert all(line.startswith("skipped ") for line in lines)
    said = " ".join(result.stderr.split())
    assert "broken.parquet: not readable as Parquet" in said and "cut.parquet: not readable as Parquet" in said
    assert "notext.parquet: no text column among headline" in said
    assert "empty.parquet: Parquet file has no rows" in said
    assert "Traceback" not in result.stderr
    docs, _ = _read(folder)
    assert [d.id for d in docs] == ["good.parquet:1"]


def test_without_pyarrow_a_parquet_file_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pq.write_table(pa.table({"text": [STORY]}), tmp_path / "t.parquet")
    (tmp_path / "a.txt").write_text(STORY, encoding="utf-8")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    docs, problems = _read(tmp_path)
    assert [d.id for d in docs] == ["a.txt"]
    assert len(problems) == 1 and problems[0].endswith(
        "t.parquet: reading Parquet needs pyarrow; install it with: pip install 'article-dedup[parquet]'")


def test_seeds_from_parquet_cluster_as_from_files(tmp_path: Path) -> None:
    from_files = run([str(SEEDS)], db=str(tmp_path / "f.db"))
    from_parquet = run([str(seeds_parquet(tmp_path / "seeds.parquet"))], db=str(tmp_path / "p.db"))
    assert sorted(sorted(c.members) for c in from_parquet.clusters) == sorted(
        sorted(c.members) for c in from_files.clusters)
    assert [(r.quoting, r.source, r.kind, r.quoting_span, r.source_span) for r in from_parquet.reuses] == [
        (r.quoting, r.source, r.kind, r.quoting_span, r.source_span) for r in from_files.reuses]
    assert from_files.reuses and any(len(c.members) > 1 for c in from_files.clusters)
