"""CSV files: one document per row (``.csv`` comma-separated, ``.tsv`` tab-separated, each also
compressed, ``.csv.gz``).

The header row names the columns; which one is the text, the id, the outlet… is chosen once per
file (:func:`dedup.ingest_fields.resolve_columns`), and the columns given no field are kept with
each row in ``extra``. A file is streamed a row at a time, so its size has no limit, only a row's
text (``MAX_BYTES``, as any document). It is read as UTF-8 (with or without BOM), UTF-16 or UTF-32
with a BOM, or in the run's ``--encoding``: sniffing a legacy encoding would need the whole file.

Every row becomes a :class:`~dedup.ingest.RawInput` or a :class:`~dedup.models.Problem` naming the
file and row (the rows under the header, counted from 1); a file that cannot be read as a table is
one Problem naming the file, and the run goes on.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from dedup import ingest
from dedup.ingest import RawInput, Reading, binary_kind, input_suffix, printable_path, sha256
from dedup.ingest_fields import FETCHED, resolve_columns, split_hash, split_paragraphs
from dedup.models import Problem, to_json


def read_csv(path: Path, doc_id: str, how: Reading) -> Iterator[RawInput | Problem]:
    """The rows of a CSV file as documents; ``doc_id`` (the file's id) makes the ids of rows that
    state none, ``doc_id:ROW``, as a JSON Lines file's lines get ``doc_id:LINE``."""
    source = printable_path(str(path))
    rowno = 0
    _allow_long_fields()
    try:
        with ingest._opener(path)(path) as fh:
            peek = getattr(fh, "peek", None)  # (every opener's file can: buffered, gzip, bz2, lzma)
            head = peek(8192)[:8192] if peek else b""
            why = _not_text(head, how.encoding)
            if why:
                yield Problem(source, why)
                return
            encoding = how.encoding or _bom_encoding(head)
            rows = csv.reader(io.TextIOWrapper(fh, encoding=encoding, newline=""),
                              delimiter="\t" if input_suffix(path) == ".tsv" else ",")
            # (blank lines before the header are no header)
            header = next((row for row in rows if any(cell.strip() for cell in row)), None)
            if header is None:
                yield Problem(source, "empty CSV file (no header row)")
                return
            names = column_names(header)
            columns, why = resolve_columns(names, how.csv_columns)
            if why:
                yield Problem(source, why)
                return
            table = RowTable(source, doc_id, names, columns, how.paragraph_sep, _encoding_name(encoding, head))
            for rowno, row in enumerate(rows, start=1):
                if any(cell.strip() for cell in row):  # (a blank line is no row, as in JSON Lines)
                    yield table.row(row, rowno)
            if not table.rows:
                yield Problem(source, "CSV file has a header and no rows")
    except LookupError:  # (the command checks --encoding first; a library caller may give any name)
        yield Problem(source, f"unknown encoding {how.encoding!r}")
    except UnicodeDecodeError as exc:
        yield Problem(source, f"not valid {exc.encoding} {stopped_at(rowno)} (try --encoding, e.g. --encoding=cp1252 "
                      "for a Windows file)")
    except csv.Error as exc:
        # a field over the limit is most often a quotation mark never closed: what follows is one "field"
        yield Problem(source, f"not readable as CSV ({exc}) {stopped_at(rowno)}")
    except ingest._BAD_ARCHIVE as exc:
        yield Problem(source, f"not a readable {path.suffix} file ({exc}); "
                      f"{f'rows after row {rowno} lost' if rowno else 'nothing read'}")
    except OSError as exc:
        yield Problem(source, f"cannot read ({exc.strerror or exc})")


class RowTable:
    """The columns of one table file (a CSV header, a Parquet schema), and how a row of it becomes a document."""

    def __init__(self, source: str, doc_id: str, names: list[str], columns: dict[str, str], sep: str | None,
                 encoding: str) -> None:
        self.source, self.doc_id, self.names, self.columns = source, doc_id, names, columns
        self.sep, self.encoding = sep, encoding
        mapped = set(columns.values())
        #: the columns given no field, kept with each row
        self.extra_names = [n for n in names if n not in mapped]
        # when the page was fetched: kept apart (and in extra), never a publication date
        self.fetched = [n for n in self.extra_names if n.lower() in FETCHED]
        self.rows = 0

    def row(self, row: list[str], rowno: int) -> RawInput | Problem:
        self.rows += 1
        # (empty cells past the header's end are a trailing separator, not a misquoted row)
        if len(row) > len(self.names) and any(cell.strip() for cell in row[len(self.names):]):
            return Problem(self.source, f"row has {len(row)} fields, the header {len(self.names)}; row skipped", rowno)
        cells = dict(zip(self.names, row, strict=False))  # (a short row's missing cells are empty)
        kind: Literal["text", "html"] = "text"
        body = cells.get(self.columns.get("text", ""), "")
        if not body.strip():
            kind, body = "html", cells.get(self.columns.get("html", ""), "")
        if not body.strip():
            return Problem(self.source, "empty text; row skipped", rowno)
        size = len(body.encode("utf-8", "surrogatepass")) if len(body) > ingest.MAX_BYTES // 4 else 0
        if size > ingest.MAX_BYTES:
            return Problem(self.source, f"text is {size / 1e6:.1f} MB, over the {ingest.MAX_BYTES // 2**20} MiB "
                           "limit for one document; row skipped", rowno)
        mapped = {f: cells.get(c, "") for f, c in self.columns.items()}
        extra = {n: cells.get(n, "") for n in self.extra_names}
        # the hash of what the row says under this mapping: another --text-col is another document
        content_hash = sha256(to_json({"fields": mapped, "extra": extra}).encode("utf-8", "surrogatepass"))
        if kind == "text" and self.sep and self.sep in body:
            body, content_hash = split_paragraphs(body, self.sep), split_hash(content_hash, self.sep)

        def value(field: str) -> str | None:
            return mapped.get(field, "").strip() or None

        return RawInput(
            id=value("id") or f"{self.doc_id}:{rowno}", source=self.source, content_hash=content_hash, kind=kind,
            body=body, encoding=self.encoding, title=value("title"), outlet=value("outlet"), date=value("date"),
            author=value("author"), url=value("url"),
            fetched=next((v for n in self.fetched if (v := cells.get(n, "").strip())), None), extra=extra,
        )


def stopped_at(rowno: int) -> str:
    """Where reading a file stopped: the rows read before stay documents."""
    return f"after row {rowno}; the rows after it are not read" if rowno else "in its first rows; nothing read"


def _allow_long_fields() -> None:
    """Let a field be as long as a document may be (the csv module stops at 128 KiB); never lowered,
    since the limit is the whole process's."""
    if csv.field_size_limit() < ingest.MAX_BYTES + 1:
        csv.field_size_limit(ingest.MAX_BYTES + 1)


def _not_text(head: bytes, encoding: str | None) -> str | None:
    """Why a file named .csv is not a table of text: an image, an archive, NUL bytes."""
    what = binary_kind(head)
    if what:
        return f"binary file ({what}), not text"
    if not encoding and b"\x00" in head and _bom_encoding(head) == "utf-8-sig":
        return "binary file (contains NUL bytes), not text; a UTF-16 file needs a BOM or --encoding=utf-16"
    return None


def _bom_encoding(head: bytes) -> str:
    # (a UTF-32-LE BOM begins with the UTF-16-LE one: asked first)
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8-sig"  # (UTF-8, its BOM dropped when there is one)


def _encoding_name(encoding: str, head: bytes) -> str:
    """The encoding recorded with each row, as other inputs record theirs."""
    if encoding == "utf-8-sig" and not head.startswith(codecs.BOM_UTF8):
        return "utf-8"
    return encoding


def column_names(header: list[str]) -> list[str]:
    """Column names: stripped (and of a BOM an --encoding left), a blank one named by its position,
    a repeated one made unique with its position ("text", "text_3"), so that no cell is lost."""
    names: list[str] = []
    for k, cell in enumerate(header, start=1):
        name = cell.strip().lstrip("\ufeff").strip() or f"column_{k}"
        while name in names:
            name = f"{name}_{k}"
        names.append(name)
    return names
