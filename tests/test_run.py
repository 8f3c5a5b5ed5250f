"""`dedup run` end to end: the seeds, exit statuses, JSON keys, idempotent and incremental store."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dedup.store import Store
from tests.conftest import FIXTURES, SEEDS, invoke, seed_id


def _multi(report: dict[str, Any]) -> list[list[str]]:
    return sorted(sorted(c["members"]) for c in report["clusters"] if len(c["members"]) > 1)


def test_seeds_one_cluster_000_001_canonical_001(seeds_run: dict[str, Any]) -> None:
    assert seeds_run["result"].exit_code == 0, seeds_run["result"].output
    report = seeds_run["json"]
    s000, s001 = seed_id("000"), seed_id("001")
    assert _multi(report) == [[s000, s001]]
    (cluster,) = [c for c in report["clusters"] if len(c["members"]) > 1]
    assert cluster["canonical"] == s001
    assert cluster["reason"].startswith("most complete copy")
    (pair,) = cluster["pairs"]
    assert (pair["a"], pair["b"]) == (s000, s001)
    assert pair["relation"] == "contained"
    assert pair["containment_a_in_b"] >= 0.8 > pair["jaccard"]
    docs = {d["id"]: d for d in report["documents"]}
    assert set(docs) == {seed_id(p) for p in ("000", "001", "002", "003", "004")}
    assert docs[s001]["canonical"] is True and docs[s000]["canonical"] is False
    assert docs[s000]["cluster"] == docs[s001]["cluster"] == cluster["id"]
    others = {docs[seed_id(p)]["cluster"] for p in ("002", "003", "004")}
    assert len(others) == 3 and cluster["id"] not in others


def test_seeds_json_has_the_stable_keys(seeds_run: dict[str, Any]) -> None:
    report = seeds_run["json"]
    for d in report["documents"]:
        assert {"id", "title", "outlet", "date", "author", "cluster", "canonical"} <= set(d)
    for c in report["clusters"]:
        assert {"id", "members", "canonical", "pairs"} <= set(c)
        for p in c["pairs"]:
            assert set(p) == {"a", "b", "jaccard", "containment_a_in_b", "containment_b_in_a", "relation"}
    assert isinstance(report["reuses"], list) and isinstance(report["citations"], list)


def test_seeds_database_matches_json(seeds_run: dict[str, Any]) -> None:
    db = sqlite3.connect(seeds_run["db"])
    members = db.execute(
        "select cluster, group_concat(doc) from (select * from cluster_members order by doc) "
        "group by cluster having count(*) > 1"
    ).fetchall()
    assert [sorted(m.split(",")) for _, m in members] == _multi(seeds_run["json"])
    (runs,) = db.execute("select count(*) from runs where status = 'ok' and exit_status = 0").fetchone()
    assert runs == 1
    sig = db.execute("select scheme, num_perm, seed, shingle_size from signatures limit 1").fetchone()
    assert sig == ("affine32", 128, 1, 5)
    damaged = json.loads(db.execute("select inferred from documents where id = ?", [seed_id("001")]).fetchone()[0])
    assert damaged.get("date") == "2022-09-17" and damaged["date_from"] == seed_id("000")


def test_rerun_changes_nothing_and_new_files_are_added(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    db = tmp_path / "d.db"
    assert invoke("run", str(folder), "--db", str(db), "-q").exit_code == 0
    before = Store(str(db)).table_fingerprint()
    second = invoke("run", str(folder), "--db", str(db), "--json", str(tmp_path / "2.json"), "-q")
    assert second.exit_code == 0
    assert Store(str(db)).table_fingerprint() == before
    counts = json.loads((tmp_path / "2.json").read_text())["run"]["counts"]
    assert counts["processed"] == 0 and counts["unchanged"] == 5 and counts["documents"] == 5

    # a new file: a second copy of the Atalayar article joins the existing cluster
    shutil.copy(folder / seed_id("001"), folder / "005_copy_of_001.txt")
    third = invoke("run", str(folder), "--db", str(db), "--json", str(tmp_path / "3.json"), "-q")
    assert third.exit_code == 0
    report = json.loads((tmp_path / "3.json").read_text())
    assert report["run"]["counts"]["processed"] == 1
    assert _multi(report) == [sorted([seed_id("000"), seed_id("001"), "005_copy_of_001.txt"])]
    (cluster,) = [c for c in report["clusters"] if len(c["members"]) > 1]
    assert cluster["canonical"] == seed_id("001")  # same length as its copy: smallest id wins
    relations = {(p["a"], p["b"]): p["relation"] for p in cluster["pairs"]}
    assert relations[("001_447c06cfcd3380de.txt", "005_copy_of_001.txt")] == "exact"
    db_rows = sqlite3.connect(db).execute("select count(*), count(distinct id) from documents").fetchone()
    assert db_rows == (6, 6)


def test_bad_inputs_are_skipped_named_and_recorded(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    shutil.copytree(SEEDS, folder)
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(100))
    (folder / "noise.txt").write_bytes(bytes(range(128, 256)) * 4)
    db = tmp_path / "m.db"
    result = invoke("run", str(folder), "--db", str(db), "--json", str(tmp_path / "m.json"))
    assert result.exit_code == 1
    assert f"skipped {folder / 'image.txt'}: binary file (PNG image), not text" in " ".join(result.stderr.split())
    assert "noise.txt: not valid UTF-8" in result.stderr
    report = json.loads((tmp_path / "m.json").read_text())
    assert len(report["documents"]) == 5 and _multi(report) == [[seed_id("000"), seed_id("001")]]
    rows = sqlite3.connect(db).execute("select path, reason from problems order by path").fetchall()
    assert [Path(p).name for p, _ in rows] == ["image.txt", "noise.txt"]
    status = sqlite3.connect(db).execute("select status, exit_status from runs").fetchone()
    assert status == ("some inputs skipped", 1)


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke("run", str(tmp_path / "nowhere"), "--db", str(tmp_path / "x.db"))
    assert result.exit_code == 2
    assert "no such file or folder" in result.stderr and "nowhere" in result.stderr


def test_empty_folder_is_reported(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = invoke("run", str(tmp_path / "empty"), "--db", str(tmp_path / "e.db"), "-q")
    assert result.exit_code == 1
    assert "folder holds no input files" in result.stderr


def test_bad_option_value_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke("run", str(SEEDS), "--bands", "100", "--rows", "2", "--db", str(tmp_path / "x.db"))
    assert result.exit_code == 2
    assert "exceeds num_perm" in result.stderr


def test_python_m_dedup_and_stdin_records(tmp_path: Path) -> None:
    lines = (FIXTURES / "records" / "tram.jsonl").read_text() + "not json\n"
    proc = subprocess.run(
        [sys.executable, "-m", "dedup", "run", "-", "--db", str(tmp_path / "s.db"), "--json", "-", "-q"],
        input=lines, capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 1
    assert "<stdin>:3: invalid JSON" in proc.stderr
    report = json.loads(proc.stdout)
    assert [d["id"] for d in report["documents"]] == ["rec-editorial", "rec-tram-wire"]
    wire = next(d for d in report["documents"] if d["id"] == "rec-tram-wire")
    assert (wire["outlet"], wire["date"]) == ("Coastal Wire", "2024-03-12")


def test_fixture_wire_story_clusters_across_text_html_and_records(tmp_path: Path) -> None:
    result = invoke("run", str(FIXTURES), "--db", str(tmp_path / "f.db"), "--json", str(tmp_path / "f.json"), "-q")
    assert result.exit_code == 0, result.stderr
    report = json.loads((tmp_path / "f.json").read_text())
    tram = sorted([
        "wire/01_original_harbourtimes.txt", "wire/02_syndicated_northernpost.txt",
        "wire/03_truncated_aggregator.txt", "html/tram_cityportal.html", "rec-tram-wire",
    ])
    assert [sorted(m) for m in _multi(report) if "wire/01_original_harbourtimes.txt" in m] == [tram]
    clusters = {tuple(sorted(c["members"])): c for c in report["clusters"]}
    assert "wire/04_unrelated_ferry.txt" not in clusters[tuple(tram)]["members"]
    html = next(d for d in report["documents"] if d["id"] == "html/tram_cityportal.html")
    assert html["outlet"] == "City Portal" and html["author"] == "Marta Lindqvist"
    # the truncated copy states no outlet; its mates are on several sites, so none is inferred
    truncated = next(d for d in report["documents"] if d["id"] == "wire/03_truncated_aggregator.txt")
    assert truncated["outlet"] is None and "outlet" not in truncated["inferred"]
    assert truncated["inferred"]["date"] in {"2024-03-12", "2024-03-13"}


def test_offsets_pack_round_trip() -> None:
    from hypothesis import given
    from hypothesis import strategies as st

    from dedup.store import pack_offsets, unpack_offsets

    @given(st.lists(st.integers(0, 5), max_size=300))
    def check(steps: list[int]) -> None:
        offsets, pos = [], 0
        for step in steps:
            pos += step
            offsets.append(pos)
        assert unpack_offsets(pack_offsets(offsets)) == offsets

    check()
    assert len(pack_offsets(list(range(3000)))) == 16


def test_second_concurrent_run_stops_with_a_clear_message(tmp_path: Path) -> None:
    from dedup.store import Store

    db = tmp_path / "busy.db"
    holder = Store(str(db))
    holder.lock()
    try:
        result = invoke("run", str(SEEDS), "--db", str(db), "-q")
        assert result.exit_code == 2
        assert "is being written by another dedup run (pid" in " ".join(result.stderr.split())
    finally:
        holder.close()
    assert invoke("run", str(SEEDS), "--db", str(db), "-q").exit_code == 0


def test_spark_options_need_the_spark_engine(tmp_path: Path) -> None:
    result = invoke("run", str(SEEDS), "--db", str(tmp_path / "x.db"), "--master", "local[2]")
    assert result.exit_code == 2
    assert "--master, --remote, --conf, --checkpoint-dir and --out go with --engine spark" in result.stderr
    for option in (("--conf", "spark.executor.memory=8g"), ("--checkpoint-dir", str(tmp_path)),
                   ("--out", str(tmp_path / "out"))):
        result = invoke("run", str(SEEDS), "--db", str(tmp_path / "x.db"), *option)
        assert result.exit_code == 2, option
        assert "go with --engine spark" in result.stderr


@pytest.mark.parametrize("pair", ["spark.executor.memory", "=8g", " =x"])
def test_a_spark_setting_must_be_key_value(tmp_path: Path, pair: str) -> None:
    # refused before any Spark starts (pyspark need not even be installed): one line, exit 2
    result = invoke("run", str(SEEDS), "--db", str(tmp_path / "x.db"), "--engine", "spark", "--conf", pair)
    assert result.exit_code == 2
    assert f"{pair!r} is not KEY=VALUE" in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr
