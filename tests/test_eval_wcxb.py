"""scripts/eval-clean --wcxb (scripts/_wcxb.py): metadata normalisation, the bootstrap, the message
without html-text, and a run on a few pages of ../shared/data/wcxb-dev (skipped without it)."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "eval-clean"
WCXB = ROOT.parent / "shared" / "data" / "wcxb-dev"
sys.path.insert(0, str(ROOT / "scripts"))
try:
    import _wcxb as w
finally:
    sys.path.remove(str(ROOT / "scripts"))

try:
    import html_text  # noqa: F401

    HAVE_HTML_TEXT = True
except ImportError:
    HAVE_HTML_TEXT = False

needs_data = pytest.mark.skipif(not (WCXB / "evaluate.py").is_file() or not HAVE_HTML_TEXT,
                                reason="../shared/data/wcxb-dev or html-text is absent")
LIMIT = 12


def test_text_normalisation_is_light() -> None:
    assert w.norm_text("  The  Title:\n of It. ") == "the title: of it"
    assert w.norm_text("«Quoted»") == "quoted"
    assert w.norm_text("Dylan Bailey, MS, RD") != w.norm_text("Dylan Bailey; MS; RD")  # exact, not fuzzy
    assert w.meta_match("title", "STRASSE", "strasse")
    assert w.meta_match("author", "Korin Miller", "korin  miller.")


def test_dates_compare_as_days() -> None:
    assert w.norm_date("2025-9-4") == "2025-09-04"
    assert w.norm_date("2025-09-04T10:00:00Z") == "2025-09-04"
    assert w.norm_date("15 February 2023") == "2023-02-15"
    assert w.meta_match("date", "2025-09-04", "2025-09-04T23:59:00+02:00")
    assert not w.meta_match("date", "2025-09-04", "2025-09-05")
    assert w.meta_match("date", "2015-11", "2015-11-20")  # a gold month matches any day of it


def test_metadata_counts_spurious_values() -> None:
    pages = [w.Page(id=str(i), url="", path=Path("x"), sha="", main_content="", with_=[], without=[], gold=g)
             for i, g in enumerate([{"title": "A"}, {"title": "B"}, {}, {"title": "D"}])]
    got = {"0": {"title": "a."}, "1": {"title": "wrong"}, "2": {"title": "no gold"}}
    s = w.score_meta(pages, got, "title")
    assert (s.gold, s.right, s.wrong, s.extra, s.spurious) == (3, 1, 1, 1, 2)


def test_bootstrap_is_seeded_paired_and_skips_nan() -> None:
    values = np.array([0.0, 1.0, 0.5, float("nan"), 1.0])
    idx = w.resamples(len(values))
    assert idx.shape == (w.RESAMPLES, 5) and np.array_equal(idx, w.resamples(len(values)))
    m, lo, hi = w.mean_ci(values, idx)
    assert m == pytest.approx(0.625) and 0.0 <= lo <= m <= hi <= 1.0
    m, lo, hi = w.mean_ci(np.full(4, 0.25), w.resamples(4))
    assert (m, lo, hi) == pytest.approx((0.25, 0.25, 0.25))
    assert w.fmt_ci(0.9061, 0.8974, 0.9152) == "0.906 [0.897, 0.915]"


def test_without_html_text_one_line_and_exit_2(tmp_path: Path) -> None:
    stub = tmp_path / "html_text"
    stub.mkdir()
    (stub / "__init__.py").write_text("raise ImportError('no html_text here')\n")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path)}
    out = subprocess.run([sys.executable, str(SCRIPT), "--wcxb"], capture_output=True, text=True, env=env,
                         timeout=60)
    assert out.returncode == 2
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 1 and "pip install html-text" in lines[0], out.stdout + out.stderr


@pytest.mark.skipif(not HAVE_HTML_TEXT, reason="html-text is absent")
def test_absent_folder_given_is_an_error(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, str(SCRIPT), "--wcxb", str(tmp_path)], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 2 and "WCXB data not found" in out.stdout


@needs_data
@pytest.mark.slow
def test_a_few_pages_then_from_the_cache(tmp_path: Path) -> None:
    cmd = [sys.executable, str(SCRIPT), "--wcxb", "--limit", str(LIMIT), "--cache", str(tmp_path), "--worst", "3"]
    first = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stdout + first.stderr
    for label in w.LABELS.values():
        line = next(x for x in first.stdout.splitlines() if x.startswith(label + " "))
        assert line.count("[") == 5, line  # P, R, F1, with-hit, leak, each with its interval
    assert "clean(trafilatura output) - trafilatura on the HTML" in first.stdout
    assert f"{LIMIT} pages, {LIMIT} extracted now" in first.stdout
    assert "worst 3:" in first.stdout and "https://" in first.stdout
    for fld in w.FIELDS:
        assert any(x.startswith(fld + " ") for x in first.stdout.splitlines())
    second = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0
    assert f"0 extracted now, {LIMIT} from the cache" in second.stdout
    def table(stdout: str) -> list[str]:
        return [x for x in stdout.splitlines() if x.startswith(tuple(w.LABELS.values())) and "[" in x]

    assert len(table(first.stdout)) == len(w.ROWS) and table(first.stdout) == table(second.stdout)

    # the per-page figures are evaluate.py's own, averaged as it averages them
    scorer = w.load_scorer(WCXB)
    pages = w.load_pages(WCXB, scorer, LIMIT)
    produced, computed, _ = w.gather(pages, tmp_path, 1, lambda _msg: None)
    assert computed == 0
    out = w.run_methods(pages, produced, scorer, 1)
    gt = {k: v for k, v in scorer.load_ground_truth("dev").items() if k in {p.id for p in pages}}
    for row in ("clean_dump", "project"):
        with contextlib.redirect_stdout(io.StringIO()):
            theirs = scorer.evaluate_results(gt, out.text[row])
        ours = out.scores[row]
        assert [r["f1"] for r in theirs] == pytest.approx(list(ours.f1))
        assert [r["precision"] for r in theirs] == pytest.approx(list(ours.p))
        assert [r["without_rate"] for r in theirs if gt[r["file_id"]]["without"]] == pytest.approx(
            [x for x in ours.leak if not np.isnan(x)])
