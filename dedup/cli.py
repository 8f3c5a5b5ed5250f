"""The ``dedup`` command: a thin layer over the library.

Each command parses its options, calls one library function, and turns
library errors into click errors. Exit status: 0 all good, 1 some inputs were
skipped, 2 usage error (bad option, missing path, unusable database); ``run``
has more (cannot write, internal error, interrupted, broken pipe: its help and
:mod:`dedup.exits`).
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from dedup import __version__, engines, exits
from dedup.config import Config
from dedup.corpus import Corpus, DocumentView
from dedup.engines.stages import RunResult
from dedup.errors import ConfigError, DedupError, InputError, StoreError
from dedup.ingest_fields import DEFAULTS, FIELDS, CsvColumns
from dedup.models import Document, Gap
from dedup.runtime.context import ONLY
from dedup.store_check import read_error
from dedup.terminal import SafeConsole, safe

err = SafeConsole(stderr=True)


class _StoreProblem(click.ClickException):
    """The database cannot be used: a usage error (exit 2), nothing was written."""

    exit_code = 2


class _CannotWrite(click.ClickException):
    """An output that cannot be written, found before any work: exit 3, as every write refused."""

    exit_code = 3


class _RichProgress:
    """Adapts the library's progress callback to rich bars, one per stage (:mod:`dedup.runtime.progress`:
    a stage's total may come after its first call, or grow)."""

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


class _Count(ProgressColumn):
    """Done and total: in full up to 99,999, else shorter ("1.23M/2.82M", a bar of bytes)."""

    def render(self, task: Task) -> Text:
        total = "?" if task.total is None else _short(int(task.total))
        return Text(f"{_short(int(task.completed))}/{total}", style="progress.download")


def _short(n: int) -> str:
    if n < 100_000:
        return str(n)
    return f"{n / 1e9:.2f}G" if n >= 10**9 else f"{n / 1e6:.2f}M" if n >= 10**6 else f"{n // 1000}k"


def _csv_options(f: Any) -> Any:
    """--text-col … --author-col: the columns of CSV inputs, each found by its usual names when not given."""
    for field in reversed(FIELDS):
        what = {"html": "a column of HTML, extracted as .html files are", "date": "the publication date"}.get(
            field, f"the {field}")
        f = click.option(f"--{field}-col", f"{field}_col", metavar="COLUMN", help=f"CSV inputs: {what} (default: "
                         f"the first found of {', '.join(DEFAULTS[field])}; any case).")(f)
    return f


def _config(options: dict[str, Any]) -> Config:
    changes = {k: v for k, v in options.items() if v is not None}
    try:
        return Config().with_(**changes)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dedup")
def cli() -> None:
    """Clean scraped news, cluster the copies of one article, and record who quotes whom."""


@cli.command(name="run")
@click.argument("paths", nargs=-1, required=True)
@click.option("--db", help="SQLite database to create or update [default: dedup.db; with --engine spark --out, "
              "none: the results stay Parquet tables].")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, allow_dash=True),
              help="Write the run's results as JSON to this file ('-' for standard output).")
@click.option("--jsonl-out", type=click.Path(dir_okay=False, allow_dash=True),
              help="Write one JSON record per input record, in input order ('-' for standard output).")
@click.option("--encoding", help="Read every text file with this encoding instead of detecting it.")
@click.option("--id-prefix", default="", help="Put this before every id made from a path (e.g. 'siteA/'), so that "
              "folders run one after another into one --db keep files of the same name apart.")
@_csv_options
@click.option("--paragraph-sep", metavar="TEXT", help="Split the text of CSV rows and JSON records into paragraphs "
              "where TEXT stands, for scrapes that flattened them into one field (e.g. ' ### ').")
@click.option("--shingle-size", type=int, help="Words per shingle (default 5).")
@click.option("--num-perm", type=int, help="MinHash permutations (default 128).")
@click.option("--bands", type=int, help="LSH bands (default 64).")
@click.option("--rows", type=int, help="Rows per LSH band (default 2).")
@click.option("--jaccard", "jaccard_threshold", type=float, help="Jaccard for near-duplicates (default 0.5).")
@click.option("--containment", "containment_threshold", type=float,
              help="Share of the smaller copy found in the larger one (default 0.8).")
@click.option("--seed", type=int, help="MinHash seed (default 1).")
@click.option("--engine", type=click.Choice(["local", "spark"]), default="local", show_default=True,
              help="local: a process pool on this machine; spark: Apache Spark (pip install 'article-dedup[spark]').")
@click.option("--master", help="Spark master for --engine spark: local[2] (default), spark://host:7077, yarn, k8s://…")
@click.option("--remote", help="Spark Connect server for --engine spark, e.g. sc://host:15002.")
@click.option("--conf", "spark_conf", multiple=True, metavar="KEY=VALUE",
              help="A Spark setting for --engine spark (repeatable), e.g. --conf spark.executor.memory=8g.")
@click.option("--checkpoint-dir", metavar="URI",
              help="--engine spark: reliable checkpoints in this folder (hdfs://, s3a://, or a folder every "
              "executor can write); without it a cluster run checkpoints on its executors only.")
@click.option("--out", "parquet_out", metavar="URI",
              help="--engine spark: write the result tables as Parquet to this folder (any Hadoop file system URI). "
              "Without --db nothing goes through the driver: inputs are read by Spark too (--only copies).")
@click.option("--workers", type=click.IntRange(1, 256),
              help="Processes for cleaning, fingerprinting and alignment (default: all cores).")
@click.option("--only", type=click.Choice(list(ONLY)),
              help="copies: the deduplicated corpus alone (clean, cluster, canonical copies), no quotations, "
              "damage alignment or citations.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary.")
@exits.guarded
def run_command(paths: tuple[str, ...], db: str | None, json_out: str | None, jsonl_out: str | None,
                encoding: str | None, id_prefix: str, paragraph_sep: str | None, engine: str, master: str | None,
                remote: str | None, spark_conf: tuple[str, ...], checkpoint_dir: str | None, parquet_out: str | None,
                workers: int | None, only: str | None, quiet: bool, **options: Any) -> None:
    """Ingest PATHS (folders, files, or - for JSON Lines on stdin), clean, cluster and store.

    \b
    Exit status (each failure is one line on standard error, never a traceback):
      0    every input was used
      1    some inputs were skipped (each is named on standard error and
           recorded in the problems table), and nothing else
      2    usage error: a bad option or path, settings that cannot work,
           a database that cannot be used or that another run is writing
      3    cannot write: disk full, or the --db, --json or --jsonl-out path
           cannot be written (the database stays consistent)
      4    internal error (a bug; DEDUP_DEBUG=1 prints the traceback)
      130  interrupted by Ctrl-C (SIGINT); 143 by SIGTERM; 129 by SIGHUP:
           the run is marked interrupted with its stage, a rerun finishes it
      141  standard output closed early (broken pipe, e.g. | head)
    """
    csv_columns = CsvColumns(**{field: options.pop(f"{field}_col") for field in FIELDS})
    config = _config(options)
    if paragraph_sep == "":
        raise click.BadParameter("an empty separator splits nothing; give the text that stands between paragraphs",
                                 param_hint="--paragraph-sep")
    if json_out == "-" and jsonl_out == "-":
        raise click.UsageError("--json and --jsonl-out cannot both write to standard output")
    _check_encoding(encoding)
    if engine == "spark" and parquet_out and db is None:
        _run_lake(paths, parquet_out, only, json_out or jsonl_out, quiet, config=config, encoding=encoding,
                  id_prefix=id_prefix, csv_columns=csv_columns, paragraph_sep=paragraph_sep,
                  master=master or "local[2]", remote=remote, conf=_spark_settings(spark_conf),
                  checkpoint_dir=checkpoint_dir)
        return
    db = db or "dedup.db"
    _check_outputs(paths, db, {"--json": json_out, "--jsonl-out": jsonl_out})
    missing = [p for p in paths if p != "-" and not Path(p).exists()]
    if missing:
        raise click.BadParameter(f"no such file or folder: {', '.join(missing)}", param_hint="PATHS")
    if engine == "local" and (master or remote or spark_conf or checkpoint_dir or parquet_out):
        raise click.UsageError("--master, --remote, --conf, --checkpoint-dir and --out go with --engine spark")
    exits.check_database_writable(db)  # (exit 3 before any work, not a failure an hour in)
    columns = (TextColumn("{task.description:>10}"), BarColumn(), _Count(), TimeElapsedColumn())
    spark_options: dict[str, Any] = {}
    if engine == "spark":
        spark_options = {"master": master or "local[2]", "remote": remote, "conf": _spark_settings(spark_conf),
                         "checkpoint_dir": checkpoint_dir, "parquet_dir": parquet_out}
    try:
        runner = engines.engine(engine)
        with Progress(*columns, console=err, transient=True, disable=quiet) as bar:
            result = runner(list(paths), db=db, config=config, encoding=encoding, progress=_RichProgress(bar),
                            workers=workers, id_prefix=id_prefix, csv_columns=csv_columns, paragraph_sep=paragraph_sep,
                            only=only, **spark_options)
    except DedupError as exc:
        # the database, settings or an installation that cannot run: exit 2, as a usage error (1
        # means skipped inputs, and nothing else)
        raise _StoreProblem(str(exc)) from None
    for problem in result.problems:
        err.print(f"[yellow]skipped[/] {escape(str(problem))}", highlight=False, markup=True, soft_wrap=True)
    if json_out:
        with exits.writing(json_out), click.open_file(json_out, "w", encoding="utf-8") as out:
            result.write_json(out)
    if jsonl_out:
        from dedup.export import stream_records

        with exits.writing(jsonl_out), click.open_file(jsonl_out, "w", encoding="utf-8") as out:
            for rec in stream_records(result):
                out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    if not quiet:
        _summary(result, db)
    if engine == "local" and _EXIT_AT_END:
        # Everything is written and closed; freeing a 100k-document result object by object
        # (and the interpreter's teardown) would add ~0.5 s to every run, so the process ends here.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(result.exit_status)
    sys.exit(result.exit_status)


def _run_lake(paths: tuple[str, ...], out: str, only: str | None, json_wanted: str | None, quiet: bool,
              **options: Any) -> None:
    """``--engine spark --out URI`` without ``--db``: the whole corpus stays on the cluster (see
    :mod:`dedup.engines.spark_lake`); what the driver prints is counts and the first problems."""
    from dedup.engines.spark_lake import LAKE_ONLY, PROBLEMS_SHOWN, run_lake

    if only != "copies":
        raise click.UsageError(LAKE_ONLY)
    if json_wanted:
        raise click.UsageError(f"--json and --jsonl-out need --db: without it the results are the Parquet tables "
                               f"under {out}")
    if "-" in paths:
        raise click.UsageError("standard input (-) needs --db: without it Spark reads every input itself")
    local = [p for p in paths if "://" not in p and not p.startswith("file:")]
    missing = [p for p in local if not Path(p).exists()]
    if missing:
        raise click.BadParameter(f"no such file or folder: {', '.join(missing)}", param_hint="PATHS")
    if "://" not in out and not out.startswith("file:"):
        where = os.path.realpath(out)
        if any(Path(p).is_dir() and os.path.commonpath([os.path.realpath(p), where]) == os.path.realpath(p)
               for p in local):
            raise click.BadParameter(f"{out} is inside the inputs; write it elsewhere", param_hint="--out")
    try:
        result = run_lake(list(paths), out=out, only=only, **options)
    except DedupError as exc:
        raise _StoreProblem(str(exc)) from None
    for problem in result.problems:
        err.print(f"[yellow]skipped[/] {escape(str(problem))}", highlight=False, markup=True, soft_wrap=True)
    more = result.counts["skipped"] - len(result.problems)
    if more > 0:
        err.print(f"[yellow]skipped[/] {more} more inputs (the first {PROBLEMS_SHOWN} are above): all are in the "
                  f"problems table under {escape(out)}", highlight=False, markup=True, soft_wrap=True)
    if not quiet:
        c = result.counts
        table = _counts_table(f"dedup run → {escape(out)} (Parquet)", c, "copies", database=False)
        if result.resumed:
            table.add_row("resumed (read back, not made again)", ", ".join(result.resumed))
        table.add_row("time", f"{sum(result.timings.values()):.2f} s")
        err.print(table)
        ignored = result.ignored_line()
        if ignored:
            err.print(escape(ignored), highlight=False, soft_wrap=True)
    sys.exit(result.exit_status)


def _spark_settings(pairs: tuple[str, ...]) -> dict[str, str]:
    """``--conf KEY=VALUE`` options as a dict (the last of a repeated key wins, as spark-submit does)."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE (e.g. spark.executor.memory=8g)",
                                     param_hint="--conf")
        out[key.strip()] = value
    return out


def _check_encoding(encoding: str | None) -> None:
    if encoding:
        import codecs

        try:
            codecs.lookup(encoding)
        except LookupError:
            raise click.BadParameter(f"unknown encoding {encoding!r} (e.g. utf-8, cp1252, latin-1)",
                                     param_hint="--encoding") from None


def _check_outputs(paths: tuple[str, ...], db: str, outputs: dict[str, str | None]) -> None:
    """Refuse outputs that would overwrite the database or another output, or land among the inputs
    (the next run over the folder would read a results file as an article)."""
    def real(p: str) -> str:
        return os.path.realpath(p)

    folders = [real(p) for p in paths if p != "-" and Path(p).is_dir()]
    files = {real(p) for p in paths if p != "-" and not Path(p).is_dir()}
    taken = {real(db): "--db"}
    for option, target in outputs.items():
        if not target or target == "-":
            continue
        where = real(target)
        if where in taken:
            raise click.BadParameter(f"{target} is also the {taken[where]} file", param_hint=option)
        if where in files or any(os.path.commonpath([f, where]) == f for f in folders):
            raise click.BadParameter(f"{target} is inside the inputs; write it elsewhere", param_hint=option)
        _check_output_folder(target, option)
        taken[where] = option


def _check_output_folder(target: str, option: str) -> None:
    """Refuse, before any work, an output file whose folder does not exist or cannot be written
    (a run of an hour must not end in an error about its --json)."""
    if target == "-":
        return
    folder = os.path.dirname(os.path.abspath(target)) or "."
    if not os.path.isdir(folder):
        raise _CannotWrite(f"cannot write {target} ({option}): folder {folder} does not exist; create it first")
    if os.path.isdir(target):
        raise _CannotWrite(f"cannot write {target} ({option}): it is a folder; name a file")
    if not os.access(folder, os.W_OK):
        raise _CannotWrite(f"cannot write {target} ({option}): folder {folder} is not writable")


def _counts_table(title: str, c: dict[str, int], only: str | None, *, database: bool = True) -> Table:
    """The summary of a run's counts, to which the caller adds its own rows (a run without a database is
    always a first run: no inputs unchanged)."""
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("documents in corpus" if database else "documents", str(c["documents"]))
    if database:
        table.add_row("inputs read / processed / unchanged", f"{c['inputs']} / {c['processed']} / {c['unchanged']}")
    table.add_row("clusters (of more than one)", f"{c['clusters']} ({c['duplicate_clusters']})")
    table.add_row("verified pairs / LSH candidates", f"{c['verified_pairs']} / {c['candidate_pairs']}")
    reuses = "not looked for (--only copies)" if only == "copies" else f"{c['reuses']} / {c['citations']}"
    table.add_row("reuse edges / citations", reuses)
    table.add_row("inputs skipped", str(c["skipped"]))
    return table


def _summary(result: RunResult, db: str) -> None:
    c = result.counts
    table = _counts_table(f"dedup run {result.run_id} → {escape(db)}", c, result.only)
    table.add_row("time", f"{sum(result.timings.values()):.2f} s")
    err.print(table)
    ignored = result.ignored_line()
    if ignored:  # (files of no input type in the folders: one line, not a problem each)
        err.print(escape(ignored), highlight=False, soft_wrap=True)
    big = sorted((cl for cl in result.clusters if len(cl.members) > 1), key=lambda cl: (-len(cl.members), cl.id))
    if big:
        docs = result.documents
        by_id = getattr(docs, "by_id", None) or {d.id: d for d in docs}.__getitem__
        t = Table(title="largest clusters", title_justify="left")
        t.add_column("cluster")
        t.add_column("size", justify="right")
        t.add_column("canonical")
        t.add_column("title")
        for cl in big[:10]:
            canon = by_id(cl.canonical)
            t.add_row(escape(cl.id), str(len(cl.members)), escape(cl.canonical),
                      escape(canon.title or canon.inferred.get("title") or ""))
        err.print(t)


@cli.command(name="clean")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--explain", is_flag=True, help="List every edit: raw offsets, rule, removed text.")
@click.option("--json", "as_json", is_flag=True, help="Print text, metadata and edits as JSON.")
@click.option("--encoding", help="Read the file with this encoding instead of detecting it.")
def clean_command(file: str, explain: bool, as_json: bool, encoding: str | None) -> None:
    """Print the clean text of FILE (text or HTML; - for standard input)."""
    _check_encoding(encoding)
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
        try:
            extracted = extract_html(raw)
        except DedupError as exc:
            raise click.ClickException(str(exc)) from None
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
    click.echo(safe(result.text))
    if explain:
        click.echo("\n---- edits ----")
        click.echo(safe(result.explain()))


@contextmanager
def _open(db: str) -> Iterator[Corpus]:
    """The corpus of ``db`` for one reading command; any failure of the database, at open or while it
    is read (a dropped table, a damaged value), is one line naming it, exit 2."""
    allow_partial = bool(click.get_current_context().meta.get("allow_partial"))
    try:
        corpus = Corpus.open(db, allow_partial=allow_partial)
    except StoreError as exc:
        raise _StoreProblem(str(exc)) from None
    if corpus.partial:
        err.print(f"[yellow]warning[/] {escape(corpus.partial)}", highlight=False, soft_wrap=True)
    try:
        with corpus:
            yield corpus
    except StoreError as exc:
        raise _StoreProblem(str(exc)) from None
    except (sqlite3.DatabaseError, json.JSONDecodeError) as exc:
        raise _StoreProblem(read_error(db, exc)) from None


def _document(corpus: Corpus, doc_id: str) -> DocumentView:
    try:
        return corpus.document(doc_id)
    except KeyError as exc:
        raise click.BadParameter(str(exc.args[0])) from None


def _remember_partial(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    ctx.meta["allow_partial"] = value  # read by _open, so that no reading command passes it along
    return value


def _db_option(f: Any) -> Any:
    """--db, and --allow-partial that goes with reading it (every reading command takes both)."""
    f = click.option("--allow-partial", is_flag=True, expose_value=False, callback=_remember_partial,
                     help="Read the database even while a run writes it or after a run that did not finish.")(f)
    return click.option("--db", default="dedup.db", show_default=True, help="Database written by `dedup run`.")(f)
_json_flag = click.option("--json", "as_json", is_flag=True, help="JSON for machines instead of a table.")


@cli.command(name="report")
@_db_option
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="report.html (self-contained page with the provenance graph) or report.md.")
def report_command(db: str, output: str) -> None:
    """Write a provenance report (HTML or Markdown) from the database."""
    from dedup.report import report_format, write_report

    try:  # the output is checked before the database is read, so that no database error is blamed on it
        report_format(output)
    except ValueError as exc:
        raise click.BadParameter(f"{exc} (try -o report.html or -o report.md)", param_hint="--output") from None
    with _open(db) as corpus:
        try:
            path = write_report(corpus, output)
        except OSError as exc:
            raise click.BadParameter(f"cannot write {output} ({exc.strerror})", param_hint="--output") from None
    err.print(f"wrote {escape(str(path))}")


@cli.command(name="clusters")
@_db_option
@_json_flag
@click.option("--all", "show_all", is_flag=True, help="Include clusters of one document.")
def clusters_command(db: str, as_json: bool, show_all: bool) -> None:
    """List clusters: canonical copy, members, relation figures."""
    with _open(db) as corpus:
        clusters = [c for c in corpus.clusters() if show_all or len(c.members) > 1]
        if as_json:
            click.echo(json.dumps([c.to_dict() for c in clusters], ensure_ascii=False, indent=2))
            return
        docs = {v.id: v for v in corpus.documents()}
        t = Table(title=f"{len(clusters)} clusters", title_justify="left")
        for col in ("cluster", "canonical", "members (relation, jaccard, containment)", "reason"):
            t.add_column(col, overflow="fold")
        for c in clusters:
            lines = []
            for p in c.pairs:
                other = p.b if p.a == c.canonical else p.a
                inside, _ = p.containments(other)
                comp = docs[other].completeness
                lines.append(f"{other}  {p.relation} j={p.jaccard:.2f} c={inside:.2f}"
                             + (f" completeness={comp:.2f}" if comp is not None else ""))
            canon = docs[c.canonical].doc
            title = canon.title or canon.inferred.get("title", "")
            t.add_row(escape(c.id), f"{escape(c.canonical)}\n[dim]{escape(title)}[/]", escape("\n".join(lines) or "-"),
                      escape(c.reason))
        SafeConsole().print(t)


@cli.command(name="quotes")
@_db_option
@_json_flag
def quotes_command(db: str, as_json: bool) -> None:
    """List quotation edges (who quotes whom) and citations of outside outlets."""
    with _open(db) as corpus:
        reuses, citations = corpus.reuses(), corpus.citations()
        if as_json:
            click.echo(json.dumps({"reuses": [r.to_dict() for r in reuses],
                                   "citations": [c.to_dict() for c in citations]}, ensure_ascii=False, indent=2))
            return
        t = Table(title=f"{len(reuses)} quotation edges", title_justify="left")
        for col in ("quoting → source", "direction", "confidence", "attribution", "passage"):
            t.add_column(col, overflow="fold")
        for r in reuses:
            attribution = f"{r.attribution.outlet} {r.attribution.year or ''}" if r.attribution else "-"
            passage = r.quoting_span.text if len(r.quoting_span.text) < 160 else r.quoting_span.text[:157] + "…"
            t.add_row(escape(f"{r.quoting} → {r.source}"), r.direction, f"{r.confidence:.2f}", escape(attribution),
                      escape(passage))
        out = SafeConsole()
        out.print(t)
        c = Table(title=f"{len(citations)} citations", title_justify="left")
        for col in ("document", "outlet", "resolved to", "phrase"):
            c.add_column(col, overflow="fold")
        for ci in citations:
            c.add_row(escape(ci.doc), escape(ci.outlet), escape(ci.resolved_to) if ci.resolved_to else
                      "[dim]outside the corpus[/]", escape(ci.phrase))
        out.print(c)


@cli.command(name="show")
@click.argument("doc_id")
@_db_option
@_json_flag
def show_command(doc_id: str, db: str, as_json: bool) -> None:
    """Show a document: raw text with removed spans struck out, and gaps the canonical copy fills."""
    with _open(db) as corpus:
        view = _document(corpus, doc_id)
        d = view.doc
        if as_json:
            data = view.to_dict() | {"text": d.text, "raw": d.raw, "edits": [e.to_dict() for e in d.edits]}
            click.echo(json.dumps(data, ensure_ascii=False, indent=2))
            return
        out = SafeConsole()
        head = Table(show_header=False, box=None)
        for key in ("title", "outlet", "date", "author", "url"):
            value = getattr(d, key) or (f"{d.inferred[key]} (inferred from {d.inferred[key + '_from']})"
                                        if key in d.inferred else "")
            head.add_row(key, escape(value))
        head.add_row("cluster", f"{escape(str(view.cluster))} ({'canonical' if view.canonical else 'copy'})")
        if view.completeness is not None:
            head.add_row("completeness", f"{view.completeness:.2f}, {len(view.gaps)} gaps")
        out.print(head)
        out.print(render_marked(d, view.gaps, markers=_plain(out)))


def _plain(console: SafeConsole) -> bool:
    """Whether styles will not show (piped, saved, NO_COLOR): then edits and diffs carry text markers."""
    return not console.is_terminal or console.no_color


def render_marked(d: Document, gaps: list[Gap], markers: bool = False) -> Text:
    """Raw text with removals struck out (rule in brackets) and lost spans marked where they were;
    with ``markers`` (no colour), a removal reads ``[-text-]`` and a replacement ``{+text+}``."""
    text = Text()
    cut, put = (("[-", "-]"), ("{+", "+}")) if markers else (("", ""), ("", ""))
    gap_at = sorted((d.raw_span(g.at, g.at + 1)[0] if d.text else 0, g) for g in gaps)
    cursor, gi = 0, 0
    events = sorted(d.edits, key=lambda e: (e.start, e.end))

    def plain(upto: int) -> None:
        nonlocal cursor, gi
        while gi < len(gap_at) and gap_at[gi][0] <= upto:
            at, g = gap_at[gi]
            if at > cursor:
                text.append(d.raw[cursor:at])
                cursor = at
            lost = g.canonical_span.text
            text.append(f"[… {g.length} chars lost: {lost[:80]}{'…' if len(lost) > 80 else ''}]",
                        style="bold magenta")
            gi += 1
        if upto > cursor:
            text.append(d.raw[cursor:upto])
            cursor = upto

    for e in events:
        if e.start < cursor:
            continue
        plain(e.start)
        if e.removed:
            text.append(cut[0] + e.removed + cut[1], style="strike dim red")
            text.append(f"[{e.rule}]", style="dim cyan")
        if e.replacement:
            text.append(put[0] + e.replacement + put[1], style="green")
        cursor = e.end
    plain(len(d.raw))
    return text


@cli.command(name="explain")
@click.argument("a")
@click.argument("b")
@_db_option
@_json_flag
def explain_command(a: str, b: str, db: str, as_json: bool) -> None:
    """Why documents A and B are (or are not) linked."""
    from dedup.explain import explain_pair

    with _open(db) as corpus:
        for doc_id in (a, b):
            _document(corpus, doc_id)
        ex = explain_pair(corpus, a, b)
    if as_json:
        click.echo(json.dumps(ex.to_dict(), ensure_ascii=False, indent=2))
        return
    out = SafeConsole()
    out.print(f"[bold]{escape(a)}[/] ↔ [bold]{escape(b)}[/]   [dim]{ex.config}[/]")
    out.print(f"verdict: {escape(ex.verdict)}")
    t = Table(show_header=True, title_justify="left")
    t.add_column("figure")
    t.add_column("value", justify="right")
    t.add_row("jaccard, estimated from signatures", f"{ex.estimated_jaccard:.3f}")
    t.add_row("jaccard, exact", f"{ex.jaccard:.3f}")
    t.add_row(escape(f"containment of {a} in {b}"), f"{ex.containment_a_in_b:.3f}")
    t.add_row(escape(f"containment of {b} in {a}"), f"{ex.containment_b_in_a:.3f}")
    t.add_row("relation", ex.relation or "none (neither copy test passes)")
    t.add_row("LSH bands that collided", f"{len(ex.bands_collided)} of {ex.bands}")
    out.print(t)
    for i, p in enumerate(ex.passages[:20], 1):
        out.print(f"[bold]passage {i}[/] " + escape(f"{a}[{p.a_start}:{p.a_end}] = {b}[{p.b_start}:{p.b_end}]"))
        out.print(diff_text(p.a_text, p.b_text, markers=_plain(out)))
    for r in ex.reuses:
        out.print("[bold]quotation[/] "
                  + escape(f"{r.quoting} → {r.source} ({r.direction}, confidence {r.confidence:.2f})"))
        out.print(diff_text(r.quoting_span.text, r.source_span.text, markers=_plain(out)))
        for ev in r.evidence:
            out.print(f"  • {escape(ev)}")
    for doc_id, edits in ex.edits_that_mattered.items():
        out.print(f"[bold]cleaning edits in {escape(doc_id)} that removed text the other copy also has[/]")
        for e in edits:
            removed = f"[-{e.removed[:100]}-]" if _plain(out) else e.removed[:100]
            out.print(f"  {e.rule} \\[{e.start}:{e.end}] ", Text(removed, style="strike dim"))


def diff_text(a: str, b: str, markers: bool = False) -> Text:
    """Word diff of two passages: deletions red, insertions green; with ``markers`` (no colour)
    ``[-deleted-]`` and ``{+inserted+}``, so that a saved or piped diff does not read as both texts
    glued together."""
    import difflib

    wa, wb = a.split(), b.split()
    text = Text()
    for op, a0, a1, b0, b1 in difflib.SequenceMatcher(None, wa, wb, autojunk=False).get_opcodes():
        if op == "equal":
            text.append(" ".join(wa[a0:a1]) + " ")
            continue
        if a1 > a0:
            gone = " ".join(wa[a0:a1])
            text.append((f"[-{gone}-]" if markers else gone) + " ", style="red strike")
        if b1 > b0:
            new = " ".join(wb[b0:b1])
            text.append((f"{{+{new}+}}" if markers else new) + " ", style="green")
    return text


@cli.command(name="export")
@_db_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "txt", "parquet"]), default="jsonl",
              show_default=True, help="txt writes one clean-text file per document into the folder given with -o; "
              "parquet (needs pyarrow) a Parquet file given with -o.")
@click.option("--canonical-only", is_flag=True, help="One record per cluster: the deduplicated corpus.")
@click.option("-o", "--output", default="-", type=click.Path(dir_okay=False, allow_dash=True),
              help="File to write (default: standard output).")
def export_command(db: str, fmt: str, canonical_only: bool, output: str) -> None:
    """Export documents with cluster ids, member ids and provenance edges."""
    from dedup.export import write_export, write_folder

    if fmt == "parquet":
        _export_parquet(db, canonical_only, output)
        return
    if fmt == "txt":
        if output == "-":
            raise click.BadParameter("--format txt writes a folder: give one with -o DIR", param_hint="--output")
        with _open(db) as corpus:
            n = write_folder(corpus, Path(output), canonical_only=canonical_only)
        err.print(f"wrote {n} files under {escape(str(output))}")
        return
    _check_output_folder(output, "--output")
    try:
        with _open(db) as corpus, click.open_file(output, "w", encoding="utf-8") as out:
            n = write_export(corpus, out, fmt, canonical_only=canonical_only)
    except OSError as exc:  # a full disk, a file that became unwritable
        raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from None
    if output != "-":
        err.print(f"wrote {n} records to {escape(str(output))}")


class _CannotRun(click.ClickException):
    """A command that cannot run as asked (binary output to a terminal, a missing extra): exit 2, one line."""

    exit_code = exits.USAGE


def _export_parquet(db: str, canonical_only: bool, output: str) -> None:
    """``dedup export --format parquet -o FILE``: refused before the database is read when it cannot
    be written (no file named, pyarrow missing, the file's folder)."""
    from dedup.export import PARQUET_NEEDS, write_parquet

    if output == "-":
        raise _CannotRun("--format parquet writes a binary file, not text for a terminal or a pipe: "
                         "give the file with -o FILE")
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise _CannotRun(PARQUET_NEEDS) from None
    _check_output_folder(output, "--output")
    try:
        with _open(db) as corpus:
            n = write_parquet(corpus, Path(output), canonical_only=canonical_only)
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from None
    err.print(f"wrote {n} records to {escape(str(output))}")


# Set by the console entry point only: a caller of ``cli`` in its own process (tests, scripts) keeps it.
_EXIT_AT_END = False


def main() -> None:
    global _EXIT_AT_END
    _EXIT_AT_END = True
    cli(prog_name="dedup")


if __name__ == "__main__":
    main()
