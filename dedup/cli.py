"""The ``dedup`` command: a thin layer over the library.

Each command parses its options, calls one library function, and turns
library errors into click errors. Exit status: 0 all good, 1 some inputs were
skipped, 2 usage error (bad option, missing path, unusable database).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from dedup import __version__
from dedup.config import Config
from dedup.errors import DedupError, InputError, StoreError
from dedup.pipeline import RunResult, run

err = Console(stderr=True)


class _RichProgress:
    """Adapts the library's progress callback to rich bars, one per stage."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, Any] = {}

    def __call__(self, stage: str, advance: int, total: int | None) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=total)
        elif total is not None:
            self.progress.update(self.tasks[stage], total=total)
        if advance:
            self.progress.advance(self.tasks[stage], advance)


def _config(options: dict[str, Any]) -> Config:
    changes = {k: v for k, v in options.items() if v is not None}
    try:
        return Config().with_(**changes)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dedup")
def cli() -> None:
    """Clean scraped news, cluster the copies of one article, and record who quotes whom."""


@cli.command(name="run")
@click.argument("paths", nargs=-1, required=True)
@click.option("--db", default="dedup.db", show_default=True, help="SQLite database to create or update.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, allow_dash=True),
              help="Write the run's results as JSON to this file ('-' for standard output).")
@click.option("--encoding", help="Read every text file with this encoding instead of detecting it.")
@click.option("--shingle-size", type=int, help="Words per shingle (default 5).")
@click.option("--num-perm", type=int, help="MinHash permutations (default 128).")
@click.option("--bands", type=int, help="LSH bands (default 64).")
@click.option("--rows", type=int, help="Rows per LSH band (default 2).")
@click.option("--jaccard", "jaccard_threshold", type=float, help="Jaccard for near-duplicates (default 0.5).")
@click.option("--containment", "containment_threshold", type=float,
              help="Share of the smaller copy found in the larger one (default 0.8).")
@click.option("--seed", type=int, help="MinHash seed (default 1).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary.")
def run_command(paths: tuple[str, ...], db: str, json_out: str | None, encoding: str | None, quiet: bool,
                **options: Any) -> None:
    """Ingest PATHS (folders, files, or - for JSON Lines on stdin), clean, cluster and store.

    Exit status 0 when every input was used, 1 when some were skipped (each is
    named on standard error and recorded in the runs table), 2 on usage errors.
    """
    config = _config(options)
    missing = [p for p in paths if p != "-" and not Path(p).exists()]
    if missing:
        raise click.BadParameter(f"no such file or folder: {', '.join(missing)}", param_hint="PATHS")
    columns = (TextColumn("{task.description:>8}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=err, transient=True, disable=quiet) as bar:
            result = run(list(paths), db=db, config=config, encoding=encoding, progress=_RichProgress(bar))
    except StoreError as exc:
        raise click.ClickException(f"{exc} (try another --db)") from None
    except DedupError as exc:
        raise click.ClickException(str(exc)) from None
    for problem in result.problems:
        err.print(f"[yellow]skipped[/] {problem}", highlight=False, markup=True, soft_wrap=True)
    if json_out:
        text = json.dumps(result.to_json(), ensure_ascii=False, indent=2)
        if json_out == "-":
            click.echo(text)
        else:
            Path(json_out).write_text(text + "\n", encoding="utf-8")
    if not quiet:
        _summary(result, db)
    sys.exit(result.exit_status)


def _summary(result: RunResult, db: str) -> None:
    c = result.counts
    table = Table(title=f"dedup run {result.run_id} → {db}", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("documents in corpus", str(c["documents"]))
    table.add_row("inputs read / processed / unchanged", f"{c['inputs']} / {c['processed']} / {c['unchanged']}")
    table.add_row("clusters (of more than one)", f"{c['clusters']} ({c['duplicate_clusters']})")
    table.add_row("verified pairs / LSH candidates", f"{c['verified_pairs']} / {c['candidate_pairs']}")
    table.add_row("reuse edges / citations", f"{c['reuses']} / {c['citations']}")
    table.add_row("inputs skipped", str(c["skipped"]))
    table.add_row("time", f"{sum(result.timings.values()):.2f} s")
    err.print(table)
    big = sorted((cl for cl in result.clusters if len(cl.members) > 1), key=lambda cl: (-len(cl.members), cl.id))
    if big:
        titles = {d.id: d.title or d.inferred.get("title") or "" for d in result.documents}
        t = Table(title="largest clusters", title_justify="left")
        t.add_column("cluster")
        t.add_column("size", justify="right")
        t.add_column("canonical")
        t.add_column("title")
        for cl in big[:10]:
            t.add_row(cl.id, str(len(cl.members)), cl.canonical, titles.get(cl.canonical, ""))
        err.print(t)


@cli.command(name="clean")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--explain", is_flag=True, help="List every edit: raw offsets, rule, removed text.")
@click.option("--json", "as_json", is_flag=True, help="Print text, metadata and edits as JSON.")
@click.option("--encoding", help="Read the file with this encoding instead of detecting it.")
def clean_command(file: str, explain: bool, as_json: bool, encoding: str | None) -> None:
    """Print the clean text of FILE (text or HTML; - for standard input)."""
    from dedup.clean import clean
    from dedup.extract import extract_html
    from dedup.ingest import HTML_SUFFIXES, decode

    try:
        if file == "-":
            raw = sys.stdin.read()
        else:
            path = Path(file)
            if not path.exists():
                raise click.BadParameter(f"no such file: {file}", param_hint="FILE")
            raw, _ = decode(path.read_bytes(), file, encoding)
    except InputError as exc:
        raise click.ClickException(str(exc)) from None
    meta: dict[str, str] = {}
    if (file != "-" and Path(file).suffix.lower() in HTML_SUFFIXES) or raw.lstrip()[:15].lower().startswith(
        ("<!doctype html", "<html")
    ):
        extracted = extract_html(raw)
        raw, meta = extracted.text, extracted.meta
    result = clean(raw)
    meta = {**result.meta, **meta}
    if as_json:
        click.echo(json.dumps(
            {"text": result.text, "meta": meta, "defects": result.defects,
             "edits": [e.to_dict() for e in result.edits]},
            ensure_ascii=False, indent=2,
        ))
        return
    click.echo(result.text)
    if explain:
        click.echo("\n---- edits ----")
        click.echo(result.explain())


def main() -> None:
    cli(prog_name="dedup")


if __name__ == "__main__":
    main()
