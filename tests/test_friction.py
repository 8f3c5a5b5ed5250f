"""Issue 18, friction points: a document view reads like a document, a missing id is a DedupError, a
missing path an InputError before any work; show and explain read right without colour."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import dedup
from dedup.corpus import Corpus
from tests.conftest import seed_id


def test_a_document_view_has_its_metadata(seeds_run: dict[str, Any]) -> None:
    with Corpus.open(str(seeds_run["db"])) as corpus:
        view = corpus.document(seed_id("001"))
        assert view.title == view.doc.title and view.title
        assert (view.outlet, view.date, view.author, view.url) == (
            view.doc.outlet, view.doc.date, view.doc.author, view.doc.url)
        assert view.text == view.doc.text and view.defects == view.doc.defects


def test_a_missing_id_is_a_dedup_error_naming_the_database(seeds_run: dict[str, Any]) -> None:
    with Corpus.open(str(seeds_run["db"])) as corpus:
        with pytest.raises(dedup.DocumentNotFound) as caught:
            corpus.document("001")
    assert isinstance(caught.value, dedup.DedupError) and isinstance(caught.value, KeyError)
    assert str(caught.value).startswith(f"no document '001' in {seeds_run['db']}; did you mean ")


def test_run_on_a_missing_path_raises_before_any_work(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    with pytest.raises(dedup.InputError, match=r"^nowhere/folder: no such file or folder$"):
        dedup.run(["nowhere/folder"], db=str(db))
    assert not db.exists()
    with pytest.raises(TypeError, match="not one string"):
        dedup.run("folder", db=str(db))  # type: ignore[arg-type]


def test_show_without_colour_marks_removals_and_replacements(seeds_run: dict[str, Any]) -> None:
    from tests.conftest import invoke

    out = invoke("show", seed_id("000"), "--db", str(seeds_run["db"])).stdout  # piped: no colour
    assert "[-date 2022-09-17 -][date-prefix]" in out
    assert "[-,,-][doubled-punctuation]{+,+}" in out


def test_explain_without_colour_marks_the_diff_and_says_none_in_words(seeds_run: dict[str, Any]) -> None:
    from dedup.cli import diff_text
    from tests.conftest import invoke

    assert diff_text("the gold. However it", "the gold.However it", markers=True).plain == (
        "the [-gold. However-] {+gold.However+} it ")
    assert diff_text("a b", "a c").plain == "a b c "  # in colour the styles tell them apart
    out = invoke("explain", seed_id("003"), seed_id("004"), "--db", str(seeds_run["db"])).stdout
    assert "None" not in out and "none (neither copy test passes)" in out


def test_output_paths_are_checked_before_any_work(seeds_run: dict[str, Any], tmp_path: Path) -> None:
    from tests.conftest import invoke

    missing = tmp_path / "no" / "out.jsonl"
    result = invoke("export", "--db", str(seeds_run["db"]), "-o", str(missing))
    assert result.exit_code == 3 and "Traceback" not in result.output
    assert f"cannot write {missing} (--output): folder {missing.parent} does not exist; create it first" in (
        " ".join(result.stderr.split()))
    folder = tmp_path / "here"
    folder.mkdir()
    result = invoke("export", "--db", str(seeds_run["db"]), "-o", str(folder))
    assert result.exit_code == 2 and "is a directory" in result.stderr  # (click's own check of the option)
    db = tmp_path / "r.db"
    result = invoke("run", str(seeds_run["db"].parent), "--db", str(db), "--jsonl-out", str(missing))
    assert result.exit_code == 3 and not db.exists()


# -- junk labels: a heading that is not a title, a title suffix that is not an outlet -----------------
@pytest.mark.parametrize(("outlet", "title", "ok"), [
    ("Atalayar", "Iran and Russia gain strength in Mali | Atalayar", True),
    ("Voice of America", "", True),
    ("CNN", "", True),
    ("Miami Herald", "Summit opens | Miami Herald", True),
    ("04:15", "", False),  # a clock time
    ("HELSINKI", "", False),  # a dateline city
    ("Kavanaugh’s record", "", False),  # a possessive phrase
    ("Putin makes everyone wait", "", False),  # a sentence
    # the speaker of the words the title quotes
    ("Trump", "Ties have ‘never been worse’ thanks to US ‘stupidity’ – Trump", False),
    ("Trump", "Trump meets Putin - Trump", True),  # no quotation: the suffix may be a name
])
def test_a_title_suffix_is_an_outlet_only_when_it_can_be_one(outlet: str, title: str, ok: bool) -> None:
    from dedup.clean.metadata import plausible_outlet

    assert plausible_outlet(outlet, title) is ok


@pytest.mark.parametrize(("title", "ok"), [
    ("(68102)", False), ("0", False), ("2 Hours Ago", False), ("43 Mins Ago", False),
    ("Iran and Russia gain strength in Mali", True), ("G7", True),
])
def test_a_heading_is_a_title_only_when_it_can_be_one(title: str, ok: bool) -> None:
    from dedup.clean.metadata import plausible_title

    assert plausible_title(title) is ok


def test_a_quoted_speaker_in_one_headline_does_not_make_every_said_a_citation(tmp_path: Path) -> None:
    """On 612 real articles saved as .txt, one headline "‘…’ – Trump" made Trump an outlet of the
    corpus, and every "Trump said" a citation of it: 1,051 citations, where the same articles as
    JSON Lines (outlets stated) gave 239."""
    body = ("The talks in Helsinki lasted two hours. Trump said the meeting went well and that both sides "
            "agreed to meet again. Critics disagreed sharply with that account of the day.")
    (tmp_path / "a.txt").write_text("Ties have ‘never been worse’ thanks to US ‘stupidity’ – Trump\n\n"
                                    "The Russian side blamed Washington for years of decline in the relationship "
                                    "between the two countries, officials in Moscow said on Monday.\n",
                                    encoding="utf-8")
    for k in range(3):
        (tmp_path / f"b{k}.txt").write_text(f"Summit report number {k}\n\n{body} Story {k} ends here.\n",
                                            encoding="utf-8")
    result = dedup.run([str(tmp_path)], db=str(tmp_path / "d.db"))
    assert not [c for c in result.citations if c.outlet == "Trump"]
    assert next(d for d in result.documents if d.id == "a.txt").outlet is None
