"""The reading commands (clusters, quotes, show, explain, export), streaming, and the library API."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import dedup
from dedup.corpus import Corpus
from dedup.export import export_records
from tests.conftest import SEEDS, invoke, seed_id


def test_clusters_json_matches_run(seeds_run: dict[str, Any]) -> None:
    result = invoke("clusters", "--db", str(seeds_run["db"]), "--json")
    assert result.exit_code == 0
    clusters = json.loads(result.stdout)
    assert [sorted(c["members"]) for c in clusters] == [[seed_id("000"), seed_id("001")]]
    run_clusters = [c for c in seeds_run["json"]["clusters"] if len(c["members"]) > 1]
    assert clusters == run_clusters


def test_clusters_table_names_canonical_and_figures(seeds_run: dict[str, Any]) -> None:
    out = invoke("clusters", "--db", str(seeds_run["db"])).stdout
    assert "most complete" in out and "contained" in out and "Iran and Russia gain" in out


def test_show_marks_removed_text_and_gaps(seeds_run: dict[str, Any]) -> None:
    result = invoke("show", seed_id("000"), "--db", str(seeds_run["db"]))
    assert result.exit_code == 0
    out = " ".join(result.stdout.split())
    assert "chars lost:" in out  # a gap the canonical copy fills
    assert "[caption-credit]" in out or "[caption" in out
    data = json.loads(invoke("show", seed_id("000"), "--db", str(seeds_run["db"]), "--json").stdout)
    assert data["completeness"] < 0.8 and len(data["gaps"]) >= 3
    assert all(data["raw"][e["start"]:e["end"]] == e["removed"] for e in data["edits"])


def test_show_unknown_id_suggests(seeds_run: dict[str, Any]) -> None:
    result = invoke("show", "000_89cf", "--db", str(seeds_run["db"]))
    assert result.exit_code == 2
    assert "did you mean 000_89cf9391601ca72f.txt" in result.stderr


def test_explain_pair_figures(seeds_run: dict[str, Any]) -> None:
    result = invoke("explain", seed_id("000"), seed_id("001"), "--db", str(seeds_run["db"]), "--json")
    ex = json.loads(result.stdout)
    pair = next(c for c in seeds_run["json"]["clusters"] if len(c["members"]) > 1)["pairs"][0]
    assert ex["jaccard"] == pair["jaccard"] and ex["containment_a_in_b"] == pair["containment_a_in_b"]
    assert ex["same_cluster"] and ex["relation"] == "contained"
    assert len(ex["bands_collided"]) > 0 and abs(ex["estimated_jaccard"] - ex["jaccard"]) < 0.15
    assert any("A month after French troops officially left Mali" in p["a_text"] for p in ex["passages"])
    unrelated = json.loads(invoke("explain", seed_id("003"), seed_id("004"), "--db", str(seeds_run["db"]),
                                  "--json").stdout)
    assert not unrelated["same_cluster"] and unrelated["relation"] is None
    assert unrelated["verdict"].startswith("not a candidate")


def test_export_canonical_only_gives_one_record_per_cluster(seeds_run: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "corpus.jsonl"
    result = invoke("export", "--db", str(seeds_run["db"]), "--canonical-only", "-o", str(out))
    assert result.exit_code == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 4
    atalayar = next(r for r in records if r["id"] == seed_id("001"))
    assert atalayar["members"] == [seed_id("000"), seed_id("001")]
    assert atalayar["date"] == "2022-09-17"  # inferred from the damaged copy: 001 states none
    assert "Sinwar" not in atalayar["text"]
    full = invoke("export", "--db", str(seeds_run["db"]), "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(full)))
    assert len(rows) == 5 and {r["id"] for r in rows} == {seed_id(p) for p in ("000", "001", "002", "003", "004")}


def test_stream_round_trips_records_in_order(tmp_path: Path) -> None:
    records = []
    for i in range(1000):
        # every 10th record is a copy of the one before: a stream with real clusters in it
        base = i - 1 if i % 10 == 9 else i
        words = " ".join(f"w{base}x{j}" for j in range(40))
        records.append({"id": f"r{i:04d}", "text": f"Story {base}. {words}."})
    lines = "\n".join(json.dumps(r) for r in records) + "\n"
    result = invoke("run", "-", "--db", str(tmp_path / "s.db"), "--jsonl-out", "-", "-q", input=lines)
    assert result.exit_code == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == [r["id"] for r in records]
    assert out[9]["cluster"] == out[8]["cluster"] and out[9]["members"] == ["r0008", "r0009"]
    assert out[7]["members"] == ["r0007"]
    assert sum(1 for o in out if o["canonical"]) == 900


def test_stream_reports_bad_lines_with_line_numbers(tmp_path: Path) -> None:
    lines = '{"id": "a", "text": "first record text"}\n{oops\n{"id": "b", "text": "second record text"}\n'
    result = invoke("run", "-", "--db", str(tmp_path / "s.db"), "--jsonl-out", "-", "-q", input=lines)
    assert result.exit_code == 1
    assert "<stdin>:2: invalid JSON" in result.stderr
    assert [json.loads(x)["id"] for x in result.stdout.splitlines()] == ["a", "b"]


def test_library_api(tmp_path: Path) -> None:
    result = dedup.run([str(SEEDS)], db=str(tmp_path / "lib.db"))
    assert result.exit_status == 0
    assert sorted(result.cluster_of(seed_id("000")).members) == [seed_id("000"), seed_id("001")]
    with Corpus.open(str(tmp_path / "lib.db")) as corpus:
        assert len(corpus) == 5
        assert corpus.document(seed_id("001")).canonical
        assert len(list(export_records(corpus, canonical_only=True))) == 4
    cleaned = dedup.clean("PHOTO/AFP - A caption line\n\nThe article body is here. It has two sentences.")
    assert "PHOTO/" not in cleaned.text and "article body" in cleaned.text
    assert set(dedup.__all__) >= {"run", "run_records", "clean", "Corpus", "Config", "DedupError"}


def test_open_missing_database_names_the_fix(tmp_path: Path) -> None:
    result = invoke("clusters", "--db", str(tmp_path / "none.db"))
    assert result.exit_code == 2
    assert "no such database; run `dedup run FOLDER" in result.stderr
