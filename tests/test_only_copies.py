"""``only="copies"`` (``dedup run --only copies``): the deduplicated corpus alone, identical to the
whole job's, and a database a later whole run finishes as if it had run whole from the start."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup import DedupError
from dedup.cli import cli
from dedup.engines.local import run, run_records
from dedup.report.model import NOT_LOOKED_FOR
from dedup.store import Store
from tests.conftest import FIXTURES, SEEDS

# the document columns that are the copies' results (completeness and gaps are the damage stage's)
COPY_COLUMNS = "id, cluster, canonical, inferred, title, outlet, date, text"


def _corpus(folder: Path) -> Path:
    # the seeds (a copy, a quotation) and the wire fixtures (wire copies, shared passages)
    shutil.copytree(SEEDS, folder / "seeds")
    shutil.copytree(FIXTURES / "wire", folder / "wire")
    return folder


def _rows(db: str, sql: str) -> list[tuple[object, ...]]:
    with Store(db) as s:
        return [tuple(r) for r in s.db.execute(sql).fetchall()]


@pytest.fixture(scope="module")
def whole_and_copies(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, str]:
    tmp = tmp_path_factory.mktemp("only")
    folder = str(_corpus(tmp / "corpus"))
    whole, copies = str(tmp / "whole.db"), str(tmp / "copies.db")
    run([folder], db=whole, workers=1)
    run([folder], db=copies, workers=1, only="copies")
    return folder, whole, copies


def test_copies_only_gives_the_whole_jobs_clusters_and_canonical_copies(
    whole_and_copies: tuple[str, str, str],
) -> None:
    _folder, whole, copies = whole_and_copies
    # the whole job found provenance here, so the comparison is not of two empty results
    assert _rows(whole, "select count(*) from reuses")[0][0] > 0
    for sql in ("select * from clusters order by id", "select * from cluster_members order by doc",
                f"select {COPY_COLUMNS} from documents order by id"):
        assert _rows(copies, sql) == _rows(whole, sql), sql
    assert len(_rows(copies, "select * from clusters where size > 1")) >= 2
    for table in ("reuses", "citations", "sources"):
        assert _rows(copies, f"select count(*) from {table}") == [(0,)], table


def test_copies_only_leaves_the_damage_of_copies_unknown(whole_and_copies: tuple[str, str, str]) -> None:
    _folder, whole, copies = whole_and_copies
    sql = "select id, completeness, gaps from documents where canonical = 0 order by id"
    measured, unknown = _rows(whole, sql), _rows(copies, sql)
    assert [r[0] for r in unknown] == [r[0] for r in measured] and unknown
    assert all(completeness is None and gaps == "[]" for _, completeness, gaps in unknown)
    assert any(completeness is not None and completeness < 1 for _, completeness, _ in measured)
    # canonical copies and documents alone are whole by definition, in both
    assert _rows(copies, "select count(*) from documents where canonical = 1 and completeness is null") == [(0,)]


def test_the_run_records_that_it_looked_for_copies_only(whole_and_copies: tuple[str, str, str]) -> None:
    _folder, whole, copies = whole_and_copies
    (counts,) = _rows(copies, "select counts from runs")[0]
    assert json.loads(str(counts))["only"] == "copies"
    (counts,) = _rows(whole, "select counts from runs")[0]
    assert "only" not in json.loads(str(counts))


@pytest.mark.parametrize("order", [("copies", None), (None, "copies", None)])
def test_a_whole_run_after_a_copies_only_run_equals_a_fresh_whole_run(
    whole_and_copies: tuple[str, str, str], tmp_path: Path, order: tuple[str | None, ...],
) -> None:
    folder, whole, _copies = whole_and_copies
    db = str(tmp_path / "mixed.db")
    for only in order:
        result = run([folder], db=db, workers=1, only=only)
        assert result.only == only
    with Store(db) as a, Store(whole) as b:
        assert a.table_fingerprint() == b.table_fingerprint()


def test_the_library_refuses_an_unknown_part(tmp_path: Path) -> None:
    with pytest.raises(DedupError, match="choose one of: copies"):
        run_records([{"id": "a", "text": "One short text."}], db=str(tmp_path / "x.db"), only="quotes")


def test_the_command_says_what_it_did_not_look_for(tmp_path: Path) -> None:
    folder = _corpus(tmp_path / "c")
    out = tmp_path / "out.json"
    res = CliRunner().invoke(cli, ["run", str(folder), "--db", str(tmp_path / "c.db"), "--only", "copies",
                                   "--json", str(out), "--workers", "1"])
    assert res.exit_code == 0, res.output
    assert "not looked for (--only copies)" in res.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["run"]["only"] == "copies" and data["reuses"] == [] and data["citations"] == []
    assert sum(1 for c in data["clusters"] if len(c["members"]) > 1) >= 2
    # the report does not pass off provenance it never looked for as none found
    report = tmp_path / "r.md"
    assert CliRunner().invoke(cli, ["report", "--db", str(tmp_path / "c.db"), "-o", str(report)]).exit_code == 0
    assert f"| quotations, common sources, citations | {NOT_LOOKED_FOR} |" in report.read_text(encoding="utf-8")
    bad = CliRunner().invoke(cli, ["run", str(folder), "--db", str(tmp_path / "d.db"), "--only", "quotes"])
    assert bad.exit_code == 2 and "'quotes' is not 'copies'" in bad.output
