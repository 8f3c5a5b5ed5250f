"""Ingest: every input becomes a document or a named problem; encodings are read right."""

from __future__ import annotations

import codecs
import io
import json
import os
from pathlib import Path

import pytest

from dedup.ingest import RawInput, decode, iter_inputs
from dedup.models import Problem

TEXT = "Café “déjà vu” — naïve façade, 25 €.\n\nSecond paragraph."


def _collect(*paths: str, stdin: str | None = None) -> tuple[list[RawInput], list[Problem]]:
    docs, problems = [], []
    for item in iter_inputs(paths, stdin=io.StringIO(stdin) if stdin is not None else None):
        (problems if isinstance(item, Problem) else docs).append(item)
    return docs, problems  # type: ignore[return-value]


@pytest.mark.parametrize(
    "data, encoding",
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
        (TEXT.encode("cp1252"), "cp1252"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "cp1252", "utf16le-no-bom"],
)
def test_encodings_decode_without_mojibake(data: bytes, encoding: str) -> None:
    text, used = decode(data, "x.txt")
    assert text == TEXT
    assert used == encoding
    assert "Ã" not in text and "â€" not in text


def test_latin1_western_text_is_read_as_cp1252() -> None:
    text, used = decode("Le président a déclaré à la presse que l'été serait long.".encode("latin-1"), "f.txt")
    assert "président" in text and "déclaré" in text
    assert used == "cp1252"


def test_folder_ids_are_relative_paths_and_hash_is_of_bytes(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("Alpha text here.", encoding="utf-8")
    (tmp_path / "b.md").write_text("Beta text here.", encoding="utf-8")
    (tmp_path / "ignored.png.bak").write_bytes(b"not an input")
    (tmp_path / ".hidden.txt").write_text("hidden", encoding="utf-8")
    docs, problems = _collect(str(tmp_path))
    assert problems == []
    assert [d.id for d in docs] == ["b.md", "sub/a.txt"]
    import hashlib

    assert docs[1].content_hash == hashlib.sha256(b"Alpha text here.").hexdigest()


def test_json_list_object_and_jsonl_records(tmp_path: Path) -> None:
    (tmp_path / "list.json").write_text(json.dumps([
        {"id": "x1", "text": "First record.", "source": "Wire A", "date": "2024-01-02"},
        {"text": "Second record without id."},
    ]))
    (tmp_path / "one.json").write_text(json.dumps({"html": "<p>Hi</p>", "title": "T"}))
    (tmp_path / "s.jsonl").write_text(
        '{"id": "j1", "text": "one"}\n{"text": "two"}\n{broken\n{"title": "no text"}\n{"text": "five"}\n'
    )
    docs, problems = _collect(str(tmp_path))
    assert [d.id for d in docs] == ["x1", "list.json:2", "one.json", "j1", "s.jsonl:2", "s.jsonl:5"]
    assert docs[0].outlet == "Wire A" and docs[0].date == "2024-01-02"
    assert docs[2].kind == "html" and docs[2].title == "T"
    assert [(Path(p.path).name, p.line) for p in problems] == [("s.jsonl", 3), ("s.jsonl", 4)]
    assert "invalid JSON" in problems[0].reason
    assert "neither" in problems[1].reason


def test_stdin_records_keep_order_and_report_bad_lines() -> None:
    docs, problems = _collect("-", stdin='{"text": "a"}\nnot json\n{"id": "z", "text": "b"}\n')
    assert [d.id for d in docs] == ["-:1", "z"]
    assert problems[0].path == "<stdin>" and problems[0].line == 2


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("photo.txt", b"\x89PNG\r\n\x1a\n" + os.urandom(200), "binary file (PNG image)"),
        ("nul.txt", b"some text\x00\x01\x02 more" * 10, "binary file (contains NUL bytes)"),
        ("noise.txt", bytes(range(128, 256)) * 3 + b"\x81\x8d\x8f\x90\x9d" * 40, "no other encoding fits"),
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\t\n", "only white space"),
    ],
)
def test_bad_files_are_named_with_a_reason(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    (tmp_path / name).write_bytes(data)
    (tmp_path / "good.txt").write_text("A good document.", encoding="utf-8")
    docs, problems = _collect(str(tmp_path))
    assert [d.id for d in docs] == ["good.txt"]
    assert len(problems) == 1
    assert problems[0].path == str(tmp_path / name)
    assert reason in problems[0].reason


def test_undecodable_message_names_the_fix(tmp_path: Path) -> None:
    (tmp_path / "bad.txt").write_bytes(bytes(range(128, 256)) * 4)
    _, problems = _collect(str(tmp_path))
    assert "try --encoding=latin-1" in problems[0].reason


def test_missing_path_and_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    docs, problems = _collect(str(tmp_path / "nope"), str(tmp_path / "empty"))
    assert docs == []
    assert [p.reason for p in problems] == [
        "no such file or folder",
        "folder holds no input files (.csv, .htm, .html, .json, .jsonl, .md, .parquet, .tsv, .txt)",
    ]


def test_symlink_loop_does_not_hang(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "doc.txt").write_text("text", encoding="utf-8")
    os.symlink(tmp_path, tmp_path / "a" / "loop")
    docs, _problems = _collect(str(tmp_path))
    assert [d.id for d in docs] == ["a/doc.txt"]


def test_jsonl_is_streamed_and_bad_lines_are_numbered(tmp_path: Path) -> None:
    # a JSON Lines file larger than the one-document limit is fine: only a line is a document
    from dedup import ingest

    path = tmp_path / "big.jsonl"
    with path.open("wb") as f:
        f.write(b'{"id": "a", "text": "first"}\n')
        f.write(b'{"id": "b", "text": "caf\xe9"}\n')  # latin-1 byte: not UTF-8
        f.write(b'{"id": "c", "text": "' + b"x" * 300 + b'"}\n')
    old = ingest.MAX_BYTES
    ingest.MAX_BYTES = 200
    try:
        docs, problems = _collect(str(path))
    finally:
        ingest.MAX_BYTES = old
    assert [d.id for d in docs] == ["a"]
    assert [(p.line, p.reason.split(" (")[0].split(",")[0]) for p in problems] == [
        (2, "not valid UTF-8 at byte 24"), (3, "record is 0.0 MB")]


def test_publication_date_names_and_fetch_time_kept_apart(tmp_path: Path) -> None:
    # a scraper's fetch time is kept with the record, never taken for when the article was published
    rows = [{"id": "a", "text": "Body one.", "published": "2022-03-01", "scraped_at": "2024-05-05T10:00:00Z"},
            {"id": "b", "text": "Body two.", "fetched_at": "2024-05-05"},
            {"id": "c", "text": "Body three.", "date": "2021-01-01", "published": "2022-02-02"}]
    path = tmp_path / "x.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    docs, problems = _collect(str(path))
    assert problems == []
    got = {d.id: (d.date, d.fetched, d.stated.get("date"), d.stated.get("fetched")) for d in docs}
    assert got == {"a": ("2022-03-01", "2024-05-05T10:00:00Z", "2022-03-01", "2024-05-05T10:00:00Z"),
                   "b": (None, "2024-05-05", None, "2024-05-05"),
                   "c": ("2021-01-01", None, "2021-01-01", None)}
