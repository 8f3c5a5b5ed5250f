"""CSV and TSV inputs (issue 18): one document per row, columns found by their usual names or named
with --text-col …, every problem one line naming the file (and row); --paragraph-sep for CSV and JSON."""

from __future__ import annotations

import bz2
import codecs
import csv
import gzip
import io
import json
import sqlite3
from pathlib import Path

import pytest

import dedup
from dedup import ingest
from dedup.ingest import RawInput, iter_inputs
from dedup.ingest_fields import CsvColumns
from dedup.models import Problem
from tests.conftest import SHARED_DATA, invoke

HELSINKI = SHARED_DATA / "helsinki" / "helsinki_articles.csv"


def _read(*paths: Path | str, columns: CsvColumns | None = None, sep: str | None = None,
          stdin: str | None = None, encoding: str | None = None) -> tuple[list[RawInput], list[str]]:
    docs, problems = [], []
    for item in iter_inputs([str(p) for p in paths], csv_columns=columns, paragraph_sep=sep, encoding=encoding,
                            stdin=io.StringIO(stdin) if stdin is not None else None):
        if isinstance(item, Problem):
            problems.append(str(item))
        else:
            docs.append(item)
    return docs, problems


def _csv(path: Path, rows: list[list[str]], delimiter: str = ",") -> Path:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def test_rows_are_documents_with_columns_found_by_their_usual_names(tmp_path: Path) -> None:
    path = _csv(tmp_path / "news.csv", [
        ["ID", "Headline", "Publisher", "Published", "Link", "Byline", "Content", "section"],
        ["a1", "Rain", "Daily Bugle", "2024-05-01", "https://bugle.example/rain", "J. Jonah", "It rained.", "weather"],
        ["a2", "Sun", "Planet", "2024-05-02", "", "", "It shone.", ""],
    ])
    docs, problems = _read(path)
    assert problems == []
    assert [(d.id, d.kind, d.body, d.title, d.outlet, d.date, d.url, d.author, d.extra) for d in docs] == [
        ("a1", "text", "It rained.", "Rain", "Daily Bugle", "2024-05-01", "https://bugle.example/rain", "J. Jonah",
         {"section": "weather"}),
        ("a2", "text", "It shone.", "Sun", "Planet", "2024-05-02", None, None, {"section": ""}),
    ]
    assert all(d.source == str(path) and d.encoding == "utf-8" for d in docs)


def test_named_columns_win_and_an_html_column_is_extracted_as_html(tmp_path: Path) -> None:
    path = _csv(tmp_path / "x.csv", [
        ["key", "site", "body_text", "page", "title"],
        ["k1", "Bugle", "Plain body.", "<p>ignored</p>", "T1"],
        ["k2", "Bugle", "", "<html><body><p>Only HTML here.</p></body></html>", "T2"],
    ])
    columns = CsvColumns(text="body_text", html="PAGE", id="key", outlet="site")
    docs, problems = _read(path, columns=columns)
    assert problems == []
    assert [(d.id, d.kind, d.body, d.outlet, d.title, d.extra) for d in docs] == [
        ("k1", "text", "Plain body.", "Bugle", "T1", {}),
        ("k2", "html", "<html><body><p>Only HTML here.</p></body></html>", "Bugle", "T2", {}),
    ]


def test_a_file_without_a_text_column_or_with_a_missing_named_one_is_one_problem(tmp_path: Path) -> None:
    _csv(tmp_path / "a.csv", [["id", "publisher", "body_text"], ["1", "P", "words"]])
    _csv(tmp_path / "b.csv", [["id", "text"], ["2", "kept"]])
    docs, problems = _read(tmp_path)
    assert [d.id for d in docs] == ["2"]
    assert problems == [f"{tmp_path / 'a.csv'}: no text column among id, publisher, body_text; name it with --text-col"]

    docs, problems = _read(tmp_path, columns=CsvColumns(outlet="newspaper"))
    assert docs == []
    assert problems == [
        f"{tmp_path / 'a.csv'}: no column 'newspaper' (named by --outlet-col) among id, publisher, body_text",
        f"{tmp_path / 'b.csv'}: no column 'newspaper' (named by --outlet-col) among id, text",
    ]


def test_ids_without_an_id_column_are_made_like_json_lines_ids(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    _csv(tmp_path / "sub" / "feed.csv", [["text", "title"], ["one", "A"], ["", "empty"], ["three", "C"]])
    (tmp_path / "sub" / "feed.jsonl").write_text('{"text": "one"}\n{"text": ""}\n{"text": "three"}\n')
    docs, problems = _read(tmp_path)
    assert [d.id for d in docs] == ["sub/feed.csv:1", "sub/feed.csv:3", "sub/feed.jsonl:1", "sub/feed.jsonl:3"]
    assert problems == [f"{tmp_path / 'sub' / 'feed.csv'}:2: empty text; row skipped",
                        f"{tmp_path / 'sub' / 'feed.jsonl'}:2: record text is empty; line skipped"]
    # --id-prefix goes before ids made from a path, never before an id a row states
    prefixed = [d.id for d in iter_inputs([str(tmp_path / "sub" / "feed.csv")], id_prefix="site/")
                if isinstance(d, RawInput)]
    assert prefixed == ["site/feed.csv:1", "site/feed.csv:3"]
    _csv(tmp_path / "ids.csv", [["id", "text"], ["given", "x"], ["", "y"]])
    assert [d.id for d in iter_inputs([str(tmp_path / "ids.csv")], id_prefix="site/")
            if isinstance(d, RawInput)] == ["given", "site/ids.csv:2"]


def test_bom_quoted_newlines_tabs_and_compression(tmp_path: Path) -> None:
    text = 'id,text\n1,"first paragraph\n\nsecond, with a comma and ""quotes"""\n'
    (tmp_path / "bom.csv").write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    (tmp_path / "utf16.csv").write_bytes(codecs.BOM_UTF16_LE + text.replace("1,", "2,").encode("utf-16-le"))
    (tmp_path / "t.tsv").write_text("id\ttext\tnote\n3\tone, two\ta\tb\n", encoding="utf-8")
    (tmp_path / "t2.tsv").write_text("id\ttext\tnote\n4\tone, two\tc\t\n", encoding="utf-8")
    (tmp_path / "z.csv.gz").write_bytes(gzip.compress(text.replace("1,", "5,").encode()))
    (tmp_path / "z.tsv.bz2").write_bytes(bz2.compress(b"id\ttext\n6\tzipped\n"))
    docs, problems = _read(tmp_path)
    body = 'first paragraph\n\nsecond, with a comma and "quotes"'
    assert [(d.id, d.body, d.encoding) for d in docs] == [
        ("1", body, "utf-8-sig"), ("4", "one, two", "utf-8"), ("2", body, "utf-16"), ("5", body, "utf-8"),
        ("6", "zipped", "utf-8")]
    assert problems == [f"{tmp_path / 't.tsv'}:1: row has 4 fields, the header 3; row skipped"]


def test_a_huge_field_is_read_and_one_over_the_limit_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                                 ) -> None:
    # the csv module refuses fields over 128 KiB by default: an article can be longer
    big = "word " * 60_000
    _csv(tmp_path / "big.csv", [["id", "text"], ["long", big], ["short", "fine"]])
    docs, problems = _read(tmp_path / "big.csv")
    assert problems == [] and [len(d.body) for d in docs] == [len(big), 4]
    monkeypatch.setattr(ingest, "MAX_BYTES", 100_000)
    docs, problems = _read(tmp_path / "big.csv")
    assert [d.id for d in docs] == ["short"]
    assert problems == [f"{tmp_path / 'big.csv'}:1: text is 0.3 MB, over the 0 MiB limit for one document; "
                        "row skipped"]


def test_files_that_are_no_table_are_one_problem_each(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "header.csv").write_text("id,text\n\n", encoding="utf-8")
    (tmp_path / "image.csv").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(300))
    (tmp_path / "latin.csv").write_bytes("id,text\n1,fine\n2,caf\xe9\n".encode("latin-1"))
    docs, problems = _read(tmp_path)
    assert [d.id for d in docs] == []  # (the latin-1 file fails in its first block: nothing is read)
    assert problems == [
        f"{tmp_path / 'empty.csv'}: empty CSV file (no header row)",
        f"{tmp_path / 'header.csv'}: CSV file has a header and no rows",
        f"{tmp_path / 'image.csv'}: binary file (PNG image), not text",
        f"{tmp_path / 'latin.csv'}: not valid utf-8 in its first rows; nothing read "
        "(try --encoding, e.g. --encoding=cp1252 for a Windows file)",
    ]
    docs, problems = _read(tmp_path / "latin.csv", encoding="cp1252")
    assert problems == [] and [(d.body, d.encoding) for d in docs] == [("fine", "cp1252"), ("café", "cp1252")]
    assert _read(tmp_path / "latin.csv", encoding="no-such") == ([], [f"{tmp_path / 'latin.csv'}: unknown encoding "
                                                                      "'no-such'"])


def test_paragraph_separator_splits_csv_and_json_text_not_html(tmp_path: Path) -> None:
    _csv(tmp_path / "a.csv", [["id", "text", "html"], ["c1", "One ### Two ###  ### Three", ""],
                              ["c2", "", "<p>a ### b</p>"]])
    (tmp_path / "b.jsonl").write_text(json.dumps({"id": "j1", "text": "Four ### Five"}) + "\n")
    (tmp_path / "c.json").write_text(json.dumps([{"id": "j2", "text": "Six ### Seven"}]))
    docs, problems = _read(tmp_path, sep=" ### ")
    assert problems == []
    assert {d.id: d.body for d in docs} == {"c1": "One\n\nTwo\n\nThree", "c2": "<p>a ### b</p>",
                                           "j1": "Four\n\nFive", "j2": "Six\n\nSeven"}
    docs_stdin, _ = _read("-", sep=" ### ", stdin=json.dumps({"id": "s", "text": "a ### b"}) + "\n")
    assert docs_stdin[0].body == "a\n\nb"
    # another body, another content hash (a rerun with or without the option stores the new text);
    # a text the separator does not split keeps its hash
    plain, _ = _read(tmp_path)
    split = {d.id: d.content_hash for d in docs}
    assert {d.id: d.content_hash != split[d.id] for d in plain} == {"c1": True, "c2": False, "j1": True,
                                                                    "j2": True}


def test_a_csv_run_end_to_end_with_duplicate_ids_and_a_rerun(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    text = "The harbour board approved the new pier after a long debate about its cost and its size."
    _csv(folder / "a.csv", [["id", "publisher", "text", "tags"], ["x", "Bugle", text, "port"],
                            ["x", "Bugle", text, "port"], ["x", "Bugle", text + " Changed.", "port"],
                            ["y", "Planet", "Another story entirely, about the weather in the hills.", "sky"]])
    db = str(tmp_path / "d.db")
    result = dedup.run([str(folder)], db=db, workers=1)
    assert [str(p) for p in result.problems] == [
        f"{folder / 'a.csv'}: duplicate id 'x' with different content (first seen in {folder / 'a.csv'}); "
        "kept the first"]
    with dedup.Corpus.open(db) as corpus:
        got = {v.id: (v.outlet, v.extra) for v in corpus.documents()}
    assert got == {"x": ("Bugle", {"tags": "port"}), "y": ("Planet", {"tags": "sky"})}
    again = dedup.run([str(folder)], db=db, workers=1)
    assert (again.counts["unchanged"], again.counts["processed"]) == (2, 0)
    # another mapping of the same file is another reading of it: stored anew
    third = dedup.run([str(folder)], db=db, workers=1, csv_columns=CsvColumns(outlet="tags"))
    assert third.counts["processed"] == 2
    with dedup.Corpus.open(db) as corpus:
        assert {v.id: (v.outlet, v.extra) for v in corpus.documents()} == {
            "x": ("port", {"publisher": "Bugle"}), "y": ("sky", {"publisher": "Planet"})}


def test_cli_csv_options_reach_the_run(tmp_path: Path) -> None:
    _csv(tmp_path / "a.csv", [["key", "paper", "words", "when"],
                              ["k1", "Bugle", "First part ## second part of the story.", "2024-01-02"]])
    db = tmp_path / "d.db"
    res = invoke("run", str(tmp_path / "a.csv"), "--db", str(db), "--text-col", "words", "--id-col", "key",
                 "--outlet-col", "paper", "--date-col", "when", "--paragraph-sep", "##", "-q", "--workers", "1")
    assert res.exit_code == 0, res.output
    conn = sqlite3.connect(db)
    assert conn.execute("select id, outlet, date, raw, extra from documents").fetchall() == [
        ("k1", "Bugle", "2024-01-02", "First part\n\nsecond part of the story.", None)]
    bad = invoke("run", str(tmp_path / "a.csv"), "--db", str(db), "--text-col", "body", "-q", "--workers", "1")
    assert bad.exit_code == 1
    assert f"{tmp_path / 'a.csv'}: no column 'body' (named by --text-col) among key, paper, words, when" in bad.stderr
    assert "Traceback" not in bad.output
    empty = invoke("run", str(tmp_path / "a.csv"), "--db", str(db), "--paragraph-sep", "", "-q")
    assert empty.exit_code == 2 and "an empty separator splits nothing" in empty.stderr


@pytest.mark.skipif(not HELSINKI.is_file(), reason="../shared/data/helsinki is not here")
def test_helsinki_csv_reads_612_articles_with_publisher_as_outlet() -> None:
    docs, problems = _read(HELSINKI, sep=" ### ")
    assert problems == [] and len(docs) == 612
    with HELSINKI.open(newline="", encoding="utf-8") as fh:
        rows = {r["id"]: r for r in csv.DictReader(fh)}
    assert {d.id for d in docs} == set(rows)
    for d in docs:
        row = rows[d.id]
        assert d.outlet == row["publisher"]
        # scrape_time is when the page was fetched: kept, never a publication date
        assert d.date is None and d.fetched == row["scrape_time"] and d.extra == {"scrape_time": row["scrape_time"]}
        assert d.body == "\n\n".join(part for block in row["text"].split(" ### ") if (part := block.strip()))


@pytest.mark.slow
@pytest.mark.skipif(not HELSINKI.is_file(), reason="../shared/data/helsinki is not here")
def test_helsinki_csv_run_gives_612_documents(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    res = invoke("run", str(HELSINKI), "--paragraph-sep", " ### ", "--db", str(db), "-q")
    assert res.exit_code == 0, res.stderr
    conn = sqlite3.connect(db)
    outlets = dict(conn.execute("select id, outlet from documents").fetchall())
    with HELSINKI.open(newline="", encoding="utf-8") as fh:
        assert outlets == {r["id"]: r["publisher"] for r in csv.DictReader(fh)}
