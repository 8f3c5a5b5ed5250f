"""Issue 17, inputs: one bad input is a named problem, never a crash; nothing is read that should not be.

Each test reproduces a finding of the second attack on the tool (the finding's number in the name).
"""

from __future__ import annotations

import io
import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest

from dedup.clean import clean
from dedup.ingest import UTF8_REPLACED, RawInput, decode, iter_inputs
from dedup.models import Problem

BODY = "The council voted on Monday to close the old bridge for repairs until the spring."


def _collect(*paths: str, stdin: str | None = None) -> tuple[list[RawInput], list[Problem]]:
    docs: list[RawInput] = []
    problems: list[Problem] = []
    for item in iter_inputs(paths, stdin=io.StringIO(stdin) if stdin is not None else None):
        (problems if isinstance(item, Problem) else docs).append(item)  # type: ignore[arg-type]
    return docs, problems


def test_f1_a_lone_surrogate_in_a_json_string_is_a_replacement_character_and_a_defect(tmp_path: Path) -> None:
    # "\ud83d" is half an emoji: legal JSON, but no UTF-8 can hold it
    line = '{"id": "cut", "title": "Bridge \\ud83d", "text": "' + BODY + ' \\ud83d Done."}'
    (tmp_path / "a.jsonl").write_text(line + "\n" + json.dumps({"id": "ok", "text": BODY}) + "\n")
    docs, problems = _collect(str(tmp_path))
    assert problems == []
    assert [d.id for d in docs] == ["cut", "ok"]
    assert docs[0].body == BODY + " \ufffd Done." and docs[0].title == "Bridge \ufffd"
    docs[0].body.encode("utf-8")  # storable
    assert clean(docs[0].body).defects.count("undecodable") == 1


def test_f1_an_undecodable_byte_in_a_file_name_is_shown_escaped(tmp_path: Path) -> None:
    folder = os.fsencode(tmp_path)
    with open(os.path.join(folder, b"caf\xe9.txt"), "wb") as fh:
        fh.write(BODY.encode())
    docs, problems = _collect(str(tmp_path))
    assert problems == []
    assert [d.id for d in docs] == ["caf\\xe9.txt"]
    assert docs[0].source.endswith("caf\\xe9.txt") and docs[0].body == BODY


def test_f2_deeply_nested_json_is_a_problem(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    (tmp_path / "deep.json").write_text(deep)
    (tmp_path / "lines.jsonl").write_text(
        json.dumps({"id": "x", "text": BODY}) + "\n" + '{"text": "a", "meta": ' + deep + "}\n")
    docs, problems = _collect(str(tmp_path))
    assert [d.id for d in docs] == ["x"]
    assert [(Path(p.path).name, p.line, p.reason) for p in problems] == [
        ("deep.json", None, "JSON nested too deeply to be an article record"),
        ("lines.jsonl", 2, "JSON nested too deeply to be an article record; line skipped"),
    ]


def test_f5_a_fifo_and_a_device_are_not_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    (tmp_path / "ok.txt").write_text(BODY)
    result: list[tuple[list[RawInput], list[Problem]]] = []
    # a FIFO opened for reading waits for a writer for ever: the walk must not open it
    worker = threading.Thread(target=lambda: result.append(_collect(str(tmp_path))), daemon=True)
    worker.start()
    worker.join(20)
    assert result, "reading the folder hung on the FIFO"
    docs, problems = result[0]
    assert [d.id for d in docs] == ["ok.txt"]
    reasons = {Path(p.path).name: p.reason for p in problems}
    assert reasons["pipe.txt"] == "a FIFO, not a regular file; not read"
    # /dev/zero is outside the folder: the link is not followed at all
    assert reasons["zero.txt"] == "symbolic link to a file outside the folder; not followed"
    # named on the command line, a link to a device is still not read
    docs, problems = _collect(str(tmp_path / "zero.txt"))
    assert docs == [] and [p.reason for p in problems] == ["a device, not a regular file; not read"]


def test_f12_utf8_with_a_few_bad_bytes_stays_utf8_with_a_defect() -> None:
    text = "Prices rose 3% to £120 in the café — “a record”, said Zoë. " * 3
    data = text.encode("utf-8")
    data = data[:40] + b"\xff" + data[40:]  # one stray byte
    decoded, used = decode(data, "f.txt")
    assert used == UTF8_REPLACED
    assert "£120" in decoded and "┬" not in decoded and decoded.count("\ufffd") == 1
    assert clean(decoded).defects.count("undecodable") == 1
    # a real Windows file is still read as such
    legacy, used = decode("Le président a déclaré à la presse.".encode("cp1252"), "g.txt")
    assert (legacy, used) == ("Le président a déclaré à la presse.", "cp1252")


def test_f12_utf32_boms_are_checked_before_utf16() -> None:
    for codec in ("utf-32-le", "utf-32-be"):
        data = ("\ufeff" + BODY).encode(codec)
        assert decode(data, "f.txt") == (BODY, "utf-32")


def test_f13_links_out_of_the_folder_are_not_followed_inside_they_are(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("secret " + BODY)
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "real.txt").write_text(BODY)
    (root / "passwd.txt").symlink_to(outside)
    (root / "alias.txt").symlink_to(root / "sub" / "real.txt")
    docs, problems = _collect(str(root))
    assert sorted(d.id for d in docs) == ["alias.txt", "sub/real.txt"]
    assert all("secret" not in d.body for d in docs)
    assert [(Path(p.path).name, p.reason) for p in problems] == [
        ("passwd.txt", "symbolic link to a file outside the folder; not followed")]


def test_f13_an_unreadable_subfolder_and_an_empty_jsonl_are_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ok.txt").write_text(BODY)
    (tmp_path / "empty.jsonl").write_text("\n\n")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "x.txt").write_text(BODY)
    # (as root chmod 0 locks nothing: the walk is refused the folder as the kernel would refuse it)
    real = os.scandir

    def scandir(path: object = ".") -> object:
        if os.fspath(path) == str(locked):  # type: ignore[arg-type]
            raise PermissionError(13, "Permission denied", str(locked))
        return real(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    docs, problems = _collect(str(tmp_path))
    assert [d.id for d in docs] == ["ok.txt"]
    assert sorted((Path(p.path).name, p.reason) for p in problems) == [
        ("empty.jsonl", "empty JSON Lines file (no records)"),
        ("locked", "cannot read folder (Permission denied)"),
    ]


@pytest.mark.parametrize(
    "field, value, reason",
    [
        ("title", ["a", "b"], 'field "title" is list, expected a string'),
        ("outlet", {"name": "X"}, 'field "outlet" is dict, expected a string'),
        ("date", True, 'field "date" is bool, expected a string'),
    ],
)
def test_f16_non_string_fields_are_refused_by_name(field: str, value: object, reason: str) -> None:
    line = json.dumps({"id": "r", "text": BODY, field: value})
    docs, problems = _collect("-", stdin=line + "\n")
    assert docs == [] and [(p.line, p.reason) for p in problems] == [(1, reason + "; line skipped")]


def test_f16_numbers_are_converted_explicitly() -> None:
    docs, problems = _collect("-", stdin=json.dumps({"id": 7, "text": BODY, "title": 2018}) + "\n")
    assert problems == [] and (docs[0].id, docs[0].title) == ("7", "2018")


# -- through the command: the run goes on, the outputs are written, the terminal is safe --------

def _cli(*args: str, input: str | None = None) -> Any:
    from click.testing import CliRunner

    from dedup.cli import cli

    return CliRunner().invoke(cli, list(args), input=input, env={"COLUMNS": "300"})


def test_f3_f15_markup_and_control_characters_in_names_and_texts(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "a[").mkdir(parents=True)
    (folder / "a[" / "].jsonl").write_text("\n")  # an empty file: its name, "a[/].jsonl", is printed
    (folder / "x [i] \x1b[2J.txt").write_text("Bridge [bold]closed[/bold] \x1b]8;;http://evil\x07here\x1b]8;;\x07. "
                                             + BODY + "\n\n" + BODY)
    db, out = tmp_path / "r.db", tmp_path / "r.json"
    result = _cli("run", str(folder), "--db", str(db), "--json", str(out), "--workers", "1")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1  # one input skipped
    assert "Traceback" not in result.output
    assert f"skipped {folder}/a[/].jsonl: empty JSON Lines file (no records)" in result.stderr
    assert "\x1b" not in result.output and "\x07" not in result.output
    data = json.loads(out.read_text())
    (doc,) = data["documents"]
    assert doc["id"] == "x [i] \x1b[2J.txt"  # the data keeps the name; only the terminal is spared
    shown = _cli("show", doc["id"], "--db", str(db))
    assert shown.exit_code == 0 and "\x1b" not in shown.stdout
    assert "Bridge [bold]closed[/bold] \ufffd]8;;http://evil" in shown.stdout
    cleaned = _cli("clean", str(folder / "x [i] \x1b[2J.txt"))
    assert cleaned.exit_code == 0 and "\x1b" not in cleaned.stdout and "\x07" not in cleaned.stdout
    assert "Bridge [bold]closed[/bold] \ufffd]8;;http://evil\ufffdhere" in cleaned.stdout
    # a file named on the command line is named in its problem the same way
    empty = folder / "a[" / "].jsonl"
    named = _cli("run", str(empty), "--db", str(tmp_path / "e.db"), "--workers", "1")
    assert named.exit_code == 1 and f"skipped {empty}: empty JSON Lines file" in named.stderr


def _prepare_calls(monkeypatch: pytest.MonkeyPatch, doc_id: str, action: Any) -> None:
    """Make cleaning call ``action()`` first for the document ``doc_id`` (to fail it, or stall it)."""
    from dedup.engines import stages

    real = stages.prepare

    def prepare(raw: RawInput, furniture: dict[str, str]) -> Any:
        if raw.id == doc_id:
            action()
        return real(raw, furniture)

    monkeypatch.setattr(stages, "prepare", prepare)


def test_f4_a_batch_whose_every_document_fails_is_a_problem_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broke() -> None:
        raise ValueError("extractor broke")

    _prepare_calls(monkeypatch, "bad", broke)
    db = tmp_path / "r.db"
    line = json.dumps({"id": "bad", "html": "<html><body><p>" + BODY + "</p></body></html>"})
    result = _cli("run", "-", "--db", str(db), "--workers", "1", input=line + "\n")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert ("skipped <stdin>: document 'bad' could not be cleaned (ValueError: extractor broke); skipped"
            in result.stderr)
    # the same input in a batch with a good one: the good one is stored
    good = json.dumps({"id": "good", "text": BODY})
    result = _cli("run", "-", "--db", str(tmp_path / "s.db"), "--workers", "1", input=line + "\n" + good + "\n")
    assert result.exit_code == 1
    from dedup.corpus import Corpus

    with Corpus.open(str(tmp_path / "s.db")) as corpus:
        assert [d.id for d in corpus.documents()] == ["good"]


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--encoding", "nonsense"], "Invalid value for --encoding: unknown encoding 'nonsense'"),
        (["--bands", "0"], "bands must be at least 1, got 0"),
        (["--rows", "0"], "rows must be at least 1, got 0"),
        (["--seed", "-1"], "seed must not be negative, got -1"),
        (["--json", "{db}"], "Invalid value for --json: {db} is also the --db file"),
        (["--json", "{folder}/out.json"], "Invalid value for --json: {folder}/out.json is inside the inputs"),
        (["--json", "{tmp}/o.json", "--jsonl-out", "{tmp}/o.json"],
         "Invalid value for --jsonl-out: {tmp}/o.json is also the --json file"),
    ],
)
def test_f16_options_that_cannot_work_are_usage_errors(tmp_path: Path, extra: list[str], message: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(BODY)
    db = tmp_path / "r.db"
    fill = {"db": str(db), "folder": str(folder), "tmp": str(tmp_path)}
    result = _cli("run", str(folder), "--db", str(db), *(e.format(**fill) for e in extra))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert message.format(**fill) in " ".join(result.stderr.split())
    assert not db.exists() and not (folder / "out.json").exists()


def test_f17_a_broken_html_extractor_is_one_message_not_one_per_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(5):
        (folder / f"p{i}.html").write_text(f"<html><body><article><p>{BODY} {i}</p></article></body></html>")
    (folder / "t.txt").write_text(BODY)
    # trafilatura installed without lxml_html_clean fails at import: as if it were missing
    monkeypatch.setitem(sys.modules, "trafilatura", None)
    result = _cli("run", str(folder), "--db", str(tmp_path / "r.db"), "--workers", "1")
    assert result.exit_code not in (0, 1) and "Traceback" not in result.output
    assert result.stderr.count("HTML cannot be read: trafilatura does not import") == 1
    assert "skipped" not in result.stderr
    page = _cli("clean", str(folder / "p0.html"))
    assert page.exit_code != 0 and "HTML cannot be read" in page.stderr and "Traceback" not in page.output


def test_f6_hard_wrapped_text_cleans_in_linear_time() -> None:
    import time

    # 1-2 MB of one wrapped paragraph took over 400 s: each line was joined to a copy of all before it
    def seconds(raw: str) -> float:
        t = time.perf_counter()
        out = clean(raw)
        assert out.text  # (and it is one paragraph)
        return time.perf_counter() - t

    small = "word number goes on\n" * 5_000
    crlf = "word\r\n" * 5_000
    # 16 times the input in about 16 times the time, not 256 (generous bound: a loaded machine)
    assert seconds(small * 16) < 60 * max(seconds(small), 0.01)
    assert seconds(crlf * 16) < 60 * max(seconds(crlf), 0.01)
    out = clean("Title\n\n" + "one two three\n" * 3 + "four.")
    assert out.text.endswith("one two three one two three one two three four.")


def test_f6_a_document_over_its_time_budget_is_a_problem_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    def stall() -> None:
        end = time.monotonic() + 30
        while time.monotonic() < end:  # a Python loop that would not end soon
            pass

    _prepare_calls(monkeypatch, "slow.txt", stall)
    monkeypatch.setenv("DEDUP_DOCUMENT_SECONDS", "0.5")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "slow.txt").write_text(BODY)
    (folder / "ok.txt").write_text("Another story entirely, about the harbour and its new ferry timetable.")
    t = time.monotonic()
    result = _cli("run", str(folder), "--db", str(tmp_path / "r.db"), "--workers", "1")
    assert time.monotonic() - t < 25
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"skipped {folder}/slow.txt: document 'slow.txt' took longer than 0.5 s to clean; skipped" in result.stderr
    from dedup.corpus import Corpus

    with Corpus.open(str(tmp_path / "r.db")) as corpus:
        assert [d.id for d in corpus.documents()] == ["ok.txt"]


def test_f14_the_same_relative_path_in_another_folder_does_not_replace_a_document(tmp_path: Path) -> None:
    from dedup.corpus import Corpus

    a, b = tmp_path / "A", tmp_path / "B"
    a.mkdir()
    b.mkdir()
    (a / "x.txt").write_text(BODY)
    (b / "x.txt").write_text("A different story about the harbour ferry and its timetable for the winter.")
    db = str(tmp_path / "r.db")
    assert _cli("run", str(a), "--db", db, "--workers", "1").exit_code == 0
    second = _cli("run", str(b), "--db", db, "--workers", "1")
    assert second.exit_code == 1 and "Traceback" not in second.output
    assert (f"skipped {b}/x.txt: id 'x.txt' is already the document read from {a}/x.txt (another file, still "
            "there); skipped; ids are paths relative to the folder given: give this run --id-prefix"
            ) in " ".join(second.stderr.split())
    with Corpus.open(db) as corpus:
        assert [(d.id, d.doc.text) for d in corpus.documents()] == [("x.txt", BODY)]
    # the same file changed is an update, as before
    (a / "x.txt").write_text(BODY + " It reopens in May.")
    assert _cli("run", str(a), "--db", db, "--workers", "1").exit_code == 0
    # a file that moved away replaces its document
    (a / "x.txt").unlink()
    assert _cli("run", str(b), "--db", db, "--workers", "1").exit_code == 0
    with Corpus.open(db) as corpus:
        assert [d.doc.text[:11] for d in corpus.documents()] == ["A different"]
    # --id-prefix keeps them apart in one database
    (a / "x.txt").write_text(BODY)
    db2 = str(tmp_path / "p.db")
    assert _cli("run", str(a), "--db", db2, "--workers", "1", "--id-prefix", "A/").exit_code == 0
    assert _cli("run", str(b), "--db", db2, "--workers", "1", "--id-prefix", "B/").exit_code == 0
    with Corpus.open(db2) as corpus:
        assert [(d.id, d.doc.text[:11]) for d in corpus.documents()] == [("A/x.txt", BODY[:11]),
                                                                          ("B/x.txt", "A different")]
    (a / "x.txt").unlink()
    # the folder above both gives ids that name the folders
    both = _cli("run", str(tmp_path), "--db", str(tmp_path / "both.db"), "--workers", "1")
    assert both.exit_code == 0
    with Corpus.open(str(tmp_path / "both.db")) as corpus:
        assert [d.id for d in corpus.documents()] == ["B/x.txt"]


@pytest.mark.parametrize(
    "date, kept",
    [("2018-07-16", "2018-07-16"), ("2018-07-16T10:00:00Z", "2018-07-16T10:00:00Z"), ("July 16, 2018", "July 16, 2018"),
     ("2018-13-45", None), ("yesterday", None), ("2023-02-30", None)],
)
def test_f16_a_stated_date_that_is_no_date_is_dropped_with_a_defect(date: str, kept: str | None) -> None:
    from dedup.engines.stages import prepare

    (raw,) = _collect("-", stdin=json.dumps({"id": "d", "text": BODY, "date": date}) + "\n")[0]
    doc = prepare(raw, {})
    assert doc.date == kept
    assert ("invalid-date" in doc.defects) == (kept is None)
    assert raw.stated["date"] == date  # what the record said is kept


def test_compressed_inputs_are_read_as_what_they_hold(tmp_path: Path) -> None:
    import bz2
    import gzip
    import lzma

    page = f"<html><body><article><p>{BODY}</p><p>{BODY}</p></article></body></html>".encode()
    (tmp_path / "page.html.gz").write_bytes(gzip.compress(page))
    (tmp_path / "note.txt.bz2").write_bytes(bz2.compress(BODY.encode()))
    lines = "\n".join(json.dumps({"id": f"r{i}", "text": f"{BODY} {i}"}) for i in range(3)) + "\n"
    (tmp_path / "feed.jsonl.xz").write_bytes(lzma.compress(lines.encode()))
    (tmp_path / "broken.txt.gz").write_bytes(gzip.compress(BODY.encode())[:20])
    (tmp_path / "bomb.txt.gz").write_bytes(gzip.compress(b"a" * (21 * 2**20)))
    (tmp_path / "photo.png.gz").write_bytes(gzip.compress(b"x"))  # not a type the walk reads
    docs, problems = _collect(str(tmp_path))
    assert sorted((d.id, d.kind) for d in docs) == [
        ("note.txt.bz2", "text"), ("page.html.gz", "html"), ("r0", "text"), ("r1", "text"), ("r2", "text")]
    assert next(d for d in docs if d.id == "note.txt.bz2").body == BODY
    reasons = {Path(p.path).name: p.reason for p in problems}
    assert reasons["bomb.txt.gz"] == "decompresses to over the 20 MiB limit for one document"
    assert reasons["broken.txt.gz"].startswith("not a readable .gz file (Compressed file ended")
    assert set(reasons) == {"bomb.txt.gz", "broken.txt.gz"}
