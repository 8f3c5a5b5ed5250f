"""Issue 18, inputs: what a record or CSV row holds besides the document's fields is kept (``extra``) from
ingest to every output; JSON records find fields under the CSV reader's names; files of no input type
are counted in one line of the run's summary."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import dedup
from dedup.ingest import RawInput, iter_inputs
from dedup.models import Problem
from tests.conftest import invoke

STORY = ("The harbour board approved the new pier on Monday after a long debate about its cost and its size. "
         "Fishermen had asked for a longer quay for years, and the ferry company wants a second berth for the "
         "summer season, when the island crossings are full every morning.")
OTHER = ("Farmers in the valley said the late frost destroyed most of the apricot harvest this spring. The "
         "cooperative will ask the region for help, and some growers plan to cover their trees with nets next "
         "year to keep the cold off the blossom.")


def _inputs(path: Path) -> list[RawInput | Problem]:
    return list(iter_inputs([str(path)]))


def _jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_unknown_keys_are_kept_and_usual_names_fill_fields_json_had_none_for(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "r.jsonl", [
        # outlet stated: publisher is only kept
        {"id": "a", "text": "A.", "outlet": "Bugle", "publisher": "Bugle Media", "section": "world",
         "tags": ["x", "y"], "rank": 3, "meta": {"k": None}},
        # no outlet: publisher is the outlet, as in a CSV file; headline the title, Body the text
        {"doc_id": "b", "Body": "B.", "publisher": "Planet", "headline": "H", "scraped_at": "2024-01-01"},
        # a list under a name records never had to use stays in extra; source stays the outlet before publisher
        {"text": "C.", "source": "Wire", "publisher": "Wire Inc", "authors": ["P", "Q"], "title": None},
        # keys already read are read as before: text before html, outlet only when it has a value
        {"id": "d", "text": "D.", "html": "<p>D.</p>", "outlet": "", "source": "S", "date": "2024-01-02",
         "published": "2023-12-31"},
    ])
    got = {d.id: (d.kind, d.body, d.title, d.outlet, d.date, d.author, d.fetched, d.extra)
           for d in _inputs(path) if isinstance(d, RawInput)}
    assert got == {
        "a": ("text", "A.", None, "Bugle", None, None, None,
              {"publisher": "Bugle Media", "section": "world", "tags": ["x", "y"], "rank": 3, "meta": {"k": None}}),
        "b": ("text", "B.", "H", "Planet", None, None, "2024-01-01", {"scraped_at": "2024-01-01"}),
        "r.jsonl:3": ("text", "C.", None, "Wire", None, None, None,
                      {"publisher": "Wire Inc", "authors": ["P", "Q"]}),
        "d": ("text", "D.", None, "S", "2024-01-02", None, None, {"html": "<p>D.</p>", "published": "2023-12-31"}),
    }


def test_extra_never_holds_a_lone_surrogate(tmp_path: Path) -> None:
    (tmp_path / "s.jsonl").write_text('{"text": "x", "note": "half \\ud83d an emoji", "k\\udc00": ["\\ud800"]}\n')
    (item,) = _inputs(tmp_path / "s.jsonl")
    assert isinstance(item, RawInput)
    assert item.extra == {"note": "half \ufffd an emoji", "k\ufffd": ["\ufffd"]}


def _corpus(folder: Path, section: str = "world") -> None:
    folder.mkdir(exist_ok=True)
    _jsonl(folder / "news.jsonl", [
        {"id": "a", "text": STORY, "outlet": "Bugle", "date": "2024-05-01", "section": section, "tags": ["port"]},
        {"id": "b", "text": STORY, "publisher": "Planet", "date": "2024-05-02"},
    ])
    (folder / "c.csv").write_text(f'id,text,desk\nc,"{OTHER}",farm\n', encoding="utf-8")


def test_extra_reaches_the_database_the_library_and_every_export(tmp_path: Path) -> None:
    folder, db = tmp_path / "in", tmp_path / "d.db"
    _corpus(folder)
    out = tmp_path / "stream.jsonl"
    res = invoke("run", str(folder), "--db", str(db), "--jsonl-out", str(out), "-q", "--workers", "1")
    assert res.exit_code == 0, res.stderr
    want = {"a": {"section": "world", "tags": ["port"]}, "b": {}, "c": {"desk": "farm"}}
    conn = sqlite3.connect(db)
    assert dict(conn.execute("select id, extra from documents")) == {
        "a": '{"section": "world", "tags": ["port"]}', "b": None, "c": '{"desk": "farm"}'}
    with dedup.Corpus.open(str(db)) as corpus:
        assert {v.id: v.extra for v in corpus.documents()} == want
        assert corpus.document("b").outlet == "Planet"
        assert corpus.document("a").to_dict()["extra"] == want["a"]
    assert {r["id"]: r["extra"] for r in map(json.loads, out.read_text().splitlines())} == want
    jsonl = invoke("export", "--db", str(db)).stdout
    assert {r["id"]: r["extra"] for r in map(json.loads, jsonl.splitlines())} == want
    rows = list(csv.DictReader(io.StringIO(invoke("export", "--db", str(db), "--format", "csv").stdout)))
    assert list(rows[0])[-2:] == ["extra", "text"]
    assert {r["id"]: json.loads(r["extra"]) for r in rows} == want
    assert json.loads(invoke("show", "a", "--db", str(db), "--json").stdout)["extra"] == want["a"]


def test_a_rerun_sees_no_change_for_extra_and_stores_a_changed_one(tmp_path: Path) -> None:
    folder, db = tmp_path / "in", str(tmp_path / "d.db")
    _corpus(folder)
    first = dedup.run([str(folder)], db=db, workers=1)
    assert first.counts["processed"] == 3
    again = dedup.run([str(folder)], db=db, workers=1)
    assert (again.counts["processed"], again.counts["unchanged"]) == (0, 3)
    _corpus(folder, section="sport")
    third = dedup.run([str(folder)], db=db, workers=1)
    assert (third.counts["processed"], third.counts["unchanged"]) == (1, 2)
    with dedup.Corpus.open(db) as corpus:
        assert corpus.document("a").extra == {"section": "sport", "tags": ["port"]}
        # extra is no text: the clean text, and so the clusters, are those of the first run
        assert [c.members for c in corpus.clusters() if len(c.members) > 1] == [["a", "b"]]


def test_a_database_from_before_extra_gains_it_filled_without_cleaning_again(tmp_path: Path) -> None:
    folder, db = tmp_path / "in", str(tmp_path / "d.db")
    _corpus(folder)
    dedup.run([str(folder)], db=db, workers=1)
    conn = sqlite3.connect(db)
    with conn:  # the database as schema 2 left it: no extra column
        conn.execute("alter table documents drop column extra")
        conn.execute("update meta set value = '2' where key = 'schema_version'")
    conn.close()
    rerun = dedup.run([str(folder)], db=db, workers=1)
    assert (rerun.counts["processed"], rerun.counts["unchanged"]) == (0, 3)
    conn = sqlite3.connect(db)
    assert dict(conn.execute("select id, extra from documents")) == {
        "a": '{"section": "world", "tags": ["port"]}', "b": None, "c": '{"desk": "farm"}'}
    assert conn.execute("select value from meta where key = 'schema_version'").fetchone() == ("3",)
    assert conn.execute("select value from meta where key = 'extra_backfill'").fetchone() == ("",)
    conn.close()
    # filled once: the next run recognises unchanged lines unread again
    assert dedup.run([str(folder)], db=db, workers=1).counts["unchanged"] == 3


def _tree(folder: Path) -> None:
    (folder / "img").mkdir(parents=True)
    (folder / "a.txt").write_text(STORY, encoding="utf-8")
    for i in range(3):
        (folder / "img" / f"p{i}.png").write_bytes(b"\x89PNG")
    (folder / "doc.PDF").write_bytes(b"%PDF")
    (folder / "paper.pdf").write_bytes(b"%PDF")
    (folder / "backup.tar.gz").write_bytes(b"")
    (folder / "LICENSE").write_text("x", encoding="utf-8")
    (folder / ".DS_Store").write_bytes(b"")  # (hidden: not counted, as hidden folders are not walked)


def test_files_of_no_input_type_are_counted_by_suffix_not_reported_each(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    _tree(folder)
    ignored: Counter[str] = Counter()
    items = list(iter_inputs([str(folder)], ignored=ignored))
    assert [i.id for i in items if isinstance(i, RawInput)] == ["a.txt"] and len(items) == 1
    assert ignored == {".png": 3, ".pdf": 2, ".tar.gz": 1, "(no extension)": 1}

    result = dedup.run([str(folder)], db=str(tmp_path / "d.db"), workers=1)
    assert result.problems == [] and result.exit_status == 0
    assert result.ignored == {".png": 3, ".pdf": 2, ".tar.gz": 1, "(no extension)": 1}
    assert result.counts["ignored"] == 7
    assert result.ignored_line() == "ignored 7 files: 3 .png, 2 .pdf, 1 (no extension), 1 .tar.gz"
    assert result.to_json()["run"]["ignored"] == result.ignored


def test_the_run_summary_says_what_was_ignored_and_a_named_file_stays_a_problem(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    _tree(folder)
    out = tmp_path / "r.json"
    res = invoke("run", str(folder), "--db", str(tmp_path / "d.db"), "--json", str(out), "--workers", "1")
    assert res.exit_code == 0, res.stderr
    assert "ignored 7 files: 3 .png, 2 .pdf, 1 (no extension), 1 .tar.gz\n" in res.stderr
    assert not [line for line in res.stderr.splitlines() if line.startswith("skipped")]
    run = json.loads(out.read_text())["run"]
    assert (run["counts"]["ignored"], run["ignored"]) == (7, {".png": 3, ".pdf": 2, ".tar.gz": 1,
                                                              "(no extension)": 1})
    named = invoke("run", str(folder / "paper.pdf"), str(folder / "a.txt"), "--db", str(tmp_path / "e.db"),
                   "--workers", "1")
    assert named.exit_code == 1
    assert f"skipped {folder / 'paper.pdf'}: unsupported file type '.pdf'" in named.stderr
    assert "ignored" not in named.stderr
