"""Read folders, files and JSON Lines streams into :class:`RawInput` records.

Every input either becomes a ``RawInput`` or a :class:`~dedup.models.Problem`
that names the file (and line) and the reason; nothing raises out of
:func:`iter_inputs`, so one bad file never stops a run.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import lzma
import os
import re
import stat
import sys
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal, Protocol

from dedup.errors import BinaryInputError, DecodeError, EmptyInputError, InputError, RecordError
from dedup.ingest_fields import DEFAULTS, FETCHED, CsvColumns, clean_extra, split_hash, split_paragraphs
from dedup.models import Problem

TEXT_SUFFIXES = {".txt", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
JSON_SUFFIXES = {".json"}
JSONL_SUFFIXES = {".jsonl"}
#: one document per row (dedup.ingest_csv): comma-separated, or tab-separated
CSV_SUFFIXES = {".csv", ".tsv"}
#: one document per row (dedup.ingest_parquet), with pyarrow
PARQUET_SUFFIXES = {".parquet"}
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES | CSV_SUFFIXES | PARQUET_SUFFIXES
#: Compressed files of any of those types ("page.html.gz", "feed.jsonl.xz"), read as what they hold.
COMPRESSED = {".gz": "gzip", ".bz2": "bz2", ".xz": "lzma"}


def input_suffix(path: Path) -> str:
    """The type suffix of an input, under a compression suffix: ".html" for "page.html.gz"."""
    suffix = path.suffix.lower()
    if suffix in COMPRESSED:
        return Path(path.stem).suffix.lower()
    return suffix


def _opener(path: Path) -> Callable[[Path], IO[bytes]]:
    """How to open ``path`` for reading its bytes: decompressing it when its name says so."""
    module = COMPRESSED.get(path.suffix.lower())
    if module is None:
        return lambda p: p.open("rb")
    import importlib

    opener = importlib.import_module(module).open
    return lambda p: opener(p, "rb")  # type: ignore[no-any-return]


# what a corrupt compressed file raises while it is read
_BAD_ARCHIVE = (EOFError, ValueError, lzma.LZMAError)

#: Larger inputs are refused rather than read: a 50 MB "article" is a dump,
#: and holding it would break the bounded-memory promise of streaming runs.
MAX_BYTES = 20 * 1024 * 1024

_MAGIC = [
    (b"\x89PNG", "PNG image"),
    (b"GIF8", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"%PDF", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip archive"),
    (b"RIFF", "RIFF media file"),
    (b"\x7fELF", "executable"),
    (b"SQLite format 3\x00", "SQLite database"),
]


def binary_kind(head: bytes) -> str | None:
    """What a file beginning with ``head`` is when its first bytes say it is not text ("PNG image")."""
    return next((what for magic, what in _MAGIC if head.startswith(magic)), None)


# <meta charset="utf-8">, http-equiv content-type, or an XML declaration
_DECLARED = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?([A-Za-z0-9_-]{3,20})""", re.IGNORECASE)


@dataclass(frozen=True)
class RawInput:
    """One input document before cleaning."""

    id: str
    source: str
    content_hash: str
    kind: Literal["text", "html"]
    body: str
    encoding: str
    title: str | None = None
    outlet: str | None = None
    date: str | None = None
    author: str | None = None
    url: str | None = None
    #: when the page was fetched (a record's scraped_at/fetched_at): kept, never taken for a publication date
    fetched: str | None = None
    #: the input is known to be stored already with this content hash; ``body`` was not read
    unchanged: bool = False
    #: what the record or row holds besides the fields above (JSON values by key), kept as it is
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def stated(self) -> dict[str, str]:
        fields = ("title", "outlet", "date", "author", "url", "fetched")
        return {f: v for f in fields if (v := getattr(self, f))}


class Known(Protocol):
    """What an earlier run stored, so that unchanged inputs are recognised without being parsed.

    ``line`` is asked with a digest of a JSON Lines line's bytes (and the id
    the line would get without an ``id`` field); ``file`` with a file's path,
    size and modification time. A hit is an ``unchanged`` :class:`RawInput`
    (no body); ``learn_*`` records what a parsed input turned out to be.
    """

    def line(self, digest: bytes, default_id: str, source: str) -> RawInput | None: ...

    def learn_line(self, digest: bytes, item: RawInput, explicit_id: bool) -> None: ...

    def file(self, source: str, doc_id: str, size: int, mtime_ns: int) -> RawInput | None: ...

    def learn_file(self, size: int, mtime_ns: int, item: RawInput) -> None: ...


def line_digest(line: str) -> bytes:
    return _digest(line.encode("utf-8", "surrogatepass"))


def _digest(data: bytes, salt: bytes = b"") -> bytes:
    h = hashlib.blake2b(data, digest_size=16)
    if salt:
        h.update(salt)
    return h.digest()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when the NUL bytes fall on one parity, as in ASCII-range UTF-16."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0) / max(1, len(sample[0::2]))
    odd = sample[1::2].count(0) / max(1, len(sample[1::2]))
    if odd > 0.3 and even < 0.05:
        return "utf-16-le"
    if even > 0.3 and odd < 0.05:
        return "utf-16-be"
    return None


def decode(data: bytes, path: str, encoding: str | None = None) -> tuple[str, str]:
    """Text and the name of the encoding it was read with.

    UTF-8 (with or without BOM) and UTF-16 with BOM are certain; otherwise
    binary files are refused, and charset-normalizer chooses among legacy
    encodings, preferring cp1252 over its near twins (cp1250, latin-1) when it
    fits as well, because that is what Western news pages mislabelled as
    latin-1 really are. The decoded text never contains mojibake we made.
    """
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise DecodeError(path, f"unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as exc:
            raise DecodeError(
                path, f"not valid {encoding} at byte {exc.start}; try another --encoding"
            ) from None
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise DecodeError(path, f"has a UTF-8 BOM but invalid UTF-8 at byte {exc.start + 3}") from None
    # (a UTF-32-LE BOM begins with the UTF-16-LE one: asked first)
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        try:
            return data.decode("utf-32"), "utf-32"
        except UnicodeDecodeError:
            raise DecodeError(path, "has a UTF-32 BOM but is not valid UTF-32") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise DecodeError(path, "has a UTF-16 BOM but is not valid UTF-16") from None
    what = binary_kind(data)
    if what:
        raise BinaryInputError(path, f"binary file ({what}), not text")
    if b"\x00" in data[:8192]:
        guess = _utf16_without_bom(data)
        if guess:
            try:
                return data.decode(guess), guess
            except UnicodeDecodeError:
                pass
        raise BinaryInputError(path, "binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc.start
    mostly = _mostly_utf8(data)
    if mostly is not None:
        return mostly, UTF8_REPLACED
    declared = _DECLARED.search(data[:4096])
    if declared and declared.group(1).lower().replace(b"_", b"-") in (b"utf-8", b"utf8"):
        # the file says UTF-8 and is not: guessing another encoding would silently garble it
        raise DecodeError(path, f"declares {declared.group(1).decode()} but is not valid UTF-8 at byte {utf8_error}; "
                                "try --encoding=cp1252 if it is really a Windows file")
    return _decode_legacy(data, path, utf8_error)


#: The encoding recorded for UTF-8 read with its few invalid bytes replaced by U+FFFD (which the
#: cleaner reports as the defect "undecodable").
UTF8_REPLACED = "utf-8 (invalid bytes replaced)"


def _mostly_utf8(data: bytes) -> str | None:
    """The text of UTF-8 with a few invalid bytes (a cut multi-byte character, a stray byte), each
    replaced by U+FFFD; None when the bytes are another encoding. A legacy file has no valid
    multi-byte sequence (its "é" is one byte followed by ASCII); here they outnumber the bad ones
    (read as cp775 before, "£" became "┬Ż")."""
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    good = sum(1 for ch in text if ch > "\x7f") - bad - data.count(b"\xef\xbf\xbd")
    return text if bad > 0 and good >= max(2, 4 * bad) else None


def _decode_legacy(data: bytes, path: str, utf8_error: int) -> tuple[str, str]:
    import charset_normalizer  # deferred: only non-UTF-8 files pay for it

    hint = f"not valid UTF-8 (byte {utf8_error}) and no other encoding fits; try --encoding=latin-1"
    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None or best.chaos > 0.3:
        raise DecodeError(path, hint)
    chosen = best.encoding
    if chosen in {"cp1250", "latin_1", "iso8859_15", "iso8859_2", "cp1254", "cp1257"}:
        try:
            data.decode("cp1252")
            chosen = "cp1252"
        except UnicodeDecodeError:
            pass
    text = data.decode(chosen)
    control = sum(1 for ch in text[:20000] if ord(ch) < 32 and ch not in "\t\n\r\f")
    if control > max(3, len(text[:20000]) // 100):
        raise DecodeError(path, hint)
    return text, chosen


_SURROGATE = re.compile("[\ud800-\udfff]")


def no_surrogates(text: str) -> str:
    """``text`` with each lone surrogate (JSON's "\\ud83d", half an emoji; a file name's undecodable
    byte) as U+FFFD: such a string cannot be written as UTF-8 anywhere downstream."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")  # (fails on a lone surrogate and nothing else: a scan in C, not a regex)
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
    return text


def printable_path(text: str) -> str:
    """A path as it can be stored and shown: an undecodable byte of a file name as ``\\xff``."""
    if not _SURROGATE.search(text):
        return text
    return no_surrogates(text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace"))


def _clean_str(value: Any, source: str = "", field: str = "") -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        # a list or object where a name or date belongs is a scraper's mistake, not a value to print
        raise RecordError(source, f'field "{field}" is {type(value).__name__}, expected a string')
    text = no_surrogates(str(value)).strip()
    return text or None


def record_input(
    record: Any, *, default_id: str, source: str, content_hash: str, paragraph_sep: str | None = None
) -> RawInput:
    """A JSON record (``text`` or ``html``, optional id/url/title/date|published/outlet|source/author,
    and scraped_at|fetched_at, kept apart from the publication date). A field none of those keys gives
    is looked for under the CSV reader's default names (``publisher``, ``headline``, ``body`` …), and
    every key that gave no field is kept in ``extra``."""
    if not isinstance(record, dict):
        raise RecordError(source, f"expected a JSON object, got {type(record).__name__}")
    keys = _Keys(record, source)
    found = keys.body()
    if found is None:
        raise RecordError(source, 'record has neither "text" nor "html" as a string')
    kind, body = found
    if not body.strip():
        raise EmptyInputError(source, "record text is empty")
    if kind == "text" and paragraph_sep and paragraph_sep in body:
        body, content_hash = split_paragraphs(body, paragraph_sep), split_hash(content_hash, paragraph_sep)
    # (outlet before source only when outlet has a value, as records were always read)
    outlet_keys = ("outlet", "source") if record.get("outlet") else ("source",)
    return RawInput(
        id=keys.pick("id", ("id",)) or default_id,
        source=source,
        content_hash=content_hash,
        kind=kind,
        body=no_surrogates(body),
        encoding="utf-8",
        title=keys.pick("title", ("title",)),
        outlet=keys.pick("outlet", outlet_keys),
        date=keys.pick("date", _PUBLISHED),
        author=keys.pick("author", ("author",)),
        url=keys.pick("url", ("url",)),
        fetched=_first(record, _FETCHED, source),
        extra=keys.extra(),
    )


# A record's publication date, under the names scrapers give it; and when the page was fetched,
# which says nothing of when it was written (a scrape day is in every record of a crawl).
_PUBLISHED = ("date", "published", "published_at", "date_published", "pubdate")
_FETCHED = FETCHED
#: The keys JSON records were always read with, per field; DEFAULTS' other names are the fallback.
JSON_KEYS = {"text": ("text",), "html": ("html",), "id": ("id",), "title": ("title",),
             "outlet": ("outlet", "source"), "date": _PUBLISHED, "url": ("url",), "author": ("author",)}
_ALL_NAMES = frozenset(n for names in DEFAULTS.values() for n in names)


class _Keys:
    """The keys of one JSON record that gave a field; the rest become ``extra``."""

    def __init__(self, record: dict[str, Any], source: str) -> None:
        self.record = record
        self.source = source
        self.used: set[str] = set()
        self._lower: dict[str, str] | None = None

    def pick(self, field: str, keys: tuple[str, ...]) -> str | None:
        """The first of ``keys`` with a value (a list where a name belongs is a RecordError, as
        always), else the first of the field's default names, in any case, with a plain value."""
        for key in keys:
            value = _clean_str(self.record.get(key), self.source, key)
            if value:
                self.used.add(key)
                return value
        for key in self._fallback(field):
            value = self.record[key]
            # (a list under a name a record never had to use, "authors": [...], stays in extra)
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                text = no_surrogates(str(value)).strip()
                if text:
                    self.used.add(key)
                    return text
        return None

    def body(self) -> tuple[Literal["text", "html"], str] | None:
        """The kind and the string of the body: "text", else "html" (as always), else one of their
        default names ("content", "body" …, then "raw_html")."""
        keys: list[tuple[Literal["text", "html"], str]] = [("text", "text"), ("html", "html")]
        keys += [("text", k) for k in self._fallback("text")] + [("html", k) for k in self._fallback("html")]
        for kind, key in keys:
            value = self.record.get(key)
            if isinstance(value, str):
                self.used.add(key)
                return kind, value
        return None

    def _fallback(self, field: str) -> list[str]:
        """The record's keys that are one of the field's default names in any case, but its own keys."""
        if self._lower is None:
            # (the first of two keys that differ only in case is the one read)
            self._lower = {k.lower(): k for k in reversed(list(self.record))}
        lower = self._lower
        return [lower[n] for n in DEFAULTS[field] if n in lower and lower[n] not in JSON_KEYS[field]]

    def extra(self) -> dict[str, Any]:
        """Every key that gave no field, but a field's own name left empty (``"title": null``)."""
        return clean_extra({k: v for k, v in self.record.items() if k not in self.used
                            and not (k.lower() in _ALL_NAMES and v in (None, ""))})


def _first(record: dict[str, Any], keys: tuple[str, ...], source: str = "") -> str | None:
    return next((v for k in keys if (v := _clean_str(record.get(k), source, k))), None)


def _record_hash(record: Any) -> str:
    """sha256 of the record's canonical JSON (sorted keys, no ASCII escaping), in UTF-8.

    (surrogatepass: a lone surrogate is legal JSON; the hash is of what the record says.) The bytes
    are those of ``json.dumps(record, sort_keys=True, ensure_ascii=False)``; for the usual record, a
    flat object of strings, they are put together from each string's UTF-8 bytes with bytes-level
    escapes, which costs a third of encoding the long text through the json module.
    """
    if type(record) is dict and all(type(k) is str for k in record):
        parts = []
        for key in sorted(record):
            value = record[key]
            parts.append(_json_bytes(key) + b": " + (
                _json_bytes(value) if type(value) is str
                else json.dumps(value, sort_keys=True, ensure_ascii=False).encode("utf-8", "surrogatepass")))
        return sha256(b"{" + b", ".join(parts) + b"}")
    return sha256(json.dumps(record, sort_keys=True, ensure_ascii=False).encode("utf-8", "surrogatepass"))


# The control characters JSON writes as \u00XX (all but \t \n \r, which have short escapes; \b and
# \f have them too but are left to the json module, being rare).
_RARE_CONTROLS = bytes(c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D))


def _json_bytes(text: str) -> bytes:
    """``json.dumps(text, ensure_ascii=False).encode("utf-8", "surrogatepass")``."""
    data = text.encode("utf-8", "surrogatepass")
    if len(data.translate(None, _RARE_CONTROLS)) != len(data):
        return json.dumps(text, ensure_ascii=False).encode("utf-8", "surrogatepass")
    # (UTF-8 bytes of other characters never hold these byte values)
    data = data.replace(b"\\", b"\\\\").replace(b'"', b'\\"')
    return b'"' + data.replace(b"\n", b"\\n").replace(b"\r", b"\\r").replace(b"\t", b"\\t") + b'"'


_TOO_DEEP = "JSON nested too deeply to be an article record"


class _Oversize(bytes):
    """A line over MAX_BYTES, in place of its bytes: reported where it stands in the stream."""

    reason: str


#: A batch of JSON Lines lines to parse: the source, (line number, bytes or text, default id) per line, and
#: the paragraph separator of the run (--paragraph-sep) or None.
LineBatch = tuple[str, list[tuple[int, bytes | str, str]], str | None]
#: Parses batches in order (in this process, or in a pool: see engines.stages.ingest), one result list per batch.
Parser = Callable[[Iterable[LineBatch]], Iterator[list[RawInput | Problem]]]
# Lines per parse batch (the first PARSE_FIRST, doubling), and inputs (lines parsed or recognised) per batch at most.
PARSE_BATCH = 256
PARSE_FIRST = 64
BATCH_ENTRIES = 8192


def parse_lines(batch: LineBatch) -> list[RawInput | Problem]:
    """Decode, parse and hash the lines of a batch (pure: runs in any process)."""
    source, lines, sep = batch
    return [_parse_line(item, source, lineno, where, sep) for lineno, item, where in lines]


def _parse_line(item: bytes | str, source: str, lineno: int, where: str, sep: str | None) -> RawInput | Problem:
    if isinstance(item, bytes):
        try:
            line = item.decode("utf-8")
        except UnicodeDecodeError as exc:
            return Problem(source, f"not valid UTF-8 at byte {exc.start} (JSON Lines must be UTF-8); line skipped",
                           lineno)
    else:
        line = item
    try:
        record = json.loads(line)
        return record_input(record, default_id=where, source=source, content_hash=_record_hash(record),
                            paragraph_sep=sep)
    except json.JSONDecodeError as exc:
        return Problem(source, f"invalid JSON ({exc.msg} at column {exc.colno}); line skipped", lineno)
    except RecursionError:
        return Problem(source, f"{_TOO_DEEP}; line skipped", lineno)
    except InputError as exc:
        return Problem(source, exc.reason + "; line skipped", lineno)


def _serial(batches: Iterable[LineBatch]) -> Iterator[list[RawInput | Problem]]:
    return map(parse_lines, batches)


def iter_jsonl(
    stream: Iterable[str | bytes], source: str, id_prefix: str, known: Known | None = None,
    parse: Parser | None = None, paragraph_sep: str | None = None,
) -> Iterator[RawInput | Problem]:
    """Records of a JSON Lines stream; lines given as bytes are decoded (UTF-8) only when needed.

    Lines are parsed in batches by ``parse`` (default: here, in order), so a
    caller can spread decoding, JSON parsing and hashing over processes;
    records come out in stream order either way.
    """
    # a line read with a paragraph separator is another input than the same line read without
    # (its text is split): recognised under another digest
    salt = b"\0paragraph-sep\0" + paragraph_sep.encode("utf-8", "surrogatepass") if paragraph_sep else b""
    # per batch, in stream order: a resolved input (recognised, or a Problem), or the
    # position of the line in the batch sent to the parser, with what learning it needs
    in_flight: deque[list[RawInput | Problem | tuple[int, bytes, str]]] = deque()

    def batches() -> Iterator[LineBatch]:
        entries: list[RawInput | Problem | tuple[int, bytes, str]] = []
        lines: list[tuple[int, bytes | str, str]] = []
        # the first batches are smaller: the first is parsed while the pool starts, and a
        # small input (1,000 new records) is then spread evenly over the workers
        limit = PARSE_FIRST
        for lineno, item in enumerate(stream, start=1):
            if isinstance(item, _Oversize):
                entries.append(Problem(source, item.reason, lineno))
                continue
            if not item.strip():
                continue
            where = f"{id_prefix}:{lineno}"
            digest = b""
            if known is not None:
                # a line stored by an earlier run is recognised by its bytes: decoding, parsing
                # and hashing 100k records again would be most of an incremental run
                digest = _digest(item if isinstance(item, bytes) else item.encode("utf-8", "surrogatepass"), salt)
                hit = known.line(digest, where, source)
                if hit is not None:
                    entries.append(hit)
                    if len(entries) >= BATCH_ENTRIES:
                        in_flight.append(entries)
                        yield source, lines, paragraph_sep
                        entries, lines = [], []
                    continue
            entries.append((len(lines), digest, where))
            lines.append((lineno, item, where))
            if len(lines) >= limit or len(entries) >= BATCH_ENTRIES:
                in_flight.append(entries)
                yield source, lines, paragraph_sep
                entries, lines = [], []
                limit = min(PARSE_BATCH, 2 * limit)
        if entries:
            in_flight.append(entries)
            yield source, lines, paragraph_sep

    for parsed in (parse or _serial)(batches()):
        for entry in in_flight.popleft():
            if not isinstance(entry, tuple):
                yield entry
                continue
            k, digest, where = entry
            result = parsed[k]
            if known is not None and isinstance(result, RawInput):
                known.learn_line(digest, result, result.id != where)
            yield result


def _read_jsonl(
    path: Path, doc_id: str, known: Known | None = None, parse: Parser | None = None, sep: str | None = None
) -> Iterator[RawInput | Problem]:
    """JSON Lines streamed a line at a time (decompressed on the way, for .gz/.bz2/.xz): a file of
    any size, a record at most MAX_BYTES."""
    source = printable_path(str(path))
    records = 0
    compressed = path.suffix.lower() in COMPRESSED
    if compressed:
        known = None  # (lines are recognised by their bytes; a compressed file is read again)
    try:
        with _opener(path)(path) as f:
            def lines() -> Iterator[bytes]:
                for lineno, data in enumerate(f, start=1):
                    if lineno == 1 and data.startswith(codecs.BOM_UTF8):
                        data = data[3:]
                    if len(data) > MAX_BYTES:
                        marker = _Oversize()
                        marker.reason = (f"record is {len(data) / 1e6:.1f} MB, over the {MAX_BYTES // 2**20} MiB "
                                         "limit for one document; line skipped")
                        yield marker
                        continue
                    yield data

            for item in iter_jsonl(lines(), source, doc_id, known, parse, sep):
                records += 1
                yield item
    except _BAD_ARCHIVE as exc:
        yield Problem(source, f"not a readable {path.suffix} file ({exc}); "
                      f"{'records after line ' + str(records) + ' lost' if records else 'nothing read'}")
        return
    except OSError as exc:
        yield Problem(source, f"cannot read ({exc.strerror or exc})")
        return
    if not records:
        yield Problem(source, "empty JSON Lines file (no records)")


@dataclass(frozen=True)
class Reading:
    """The run's options for reading every input: ``--encoding``, the CSV columns, ``--paragraph-sep``."""

    encoding: str | None = None
    csv_columns: CsvColumns = field(default_factory=CsvColumns)
    paragraph_sep: str | None = None


def read_file(
    path: Path, doc_id: str, how: Reading, known: Known | None = None, parse: Parser | None = None
) -> Iterator[RawInput | Problem]:
    """The documents (or the problem) of one input file of any type, ``doc_id`` its id (records get
    ``doc_id:N``); sources name ``path``."""
    source = printable_path(str(path))
    suffix = input_suffix(path)
    compressed = path.suffix.lower() in COMPRESSED
    encoding, sep = how.encoding, how.paragraph_sep
    try:
        st = path.stat()
        odd = _not_regular(st)
        if odd:
            raise InputError(source, odd)
        if suffix in JSONL_SUFFIXES and not encoding:
            yield from _read_jsonl(path, doc_id, known, parse, sep)
            return
        if suffix in CSV_SUFFIXES:
            from dedup.ingest_csv import read_csv  # (it reads with this module's helpers)

            yield from read_csv(path, doc_id, how)
            return
        if suffix in PARQUET_SUFFIXES:
            from dedup.ingest_parquet import read_parquet

            yield from read_parquet(path, doc_id, how)
            return
        size = st.st_size
        single = suffix not in JSONL_SUFFIXES | JSON_SUFFIXES and not encoding
        if known is not None and single:
            hit = known.file(source, doc_id, size, st.st_mtime_ns)
            if hit is not None:
                yield hit
                return
        if size > MAX_BYTES:
            raise InputError(
                source, f"file is {size / 1e6:.1f} MB, over the {MAX_BYTES // 2**20} MiB limit for one document"
            )
        with _opener(path)(path) as fh:
            # (bounded: a file that grows while it is read, or a compressed one that expands without
            # end, is still one document at most)
            data = fh.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise InputError(source, f"{'decompresses' if compressed else 'grew while read'} to over the "
                             f"{MAX_BYTES // 2**20} MiB limit for one document")
    except _BAD_ARCHIVE as exc:
        yield Problem(source, f"not a readable {path.suffix} file ({exc})")
        return
    except InputError as exc:
        yield Problem(source, exc.reason)
        return
    except OSError as exc:
        yield Problem(source, f"cannot read ({exc.strerror or exc})")
        return
    try:
        text, used = decode(data, source, encoding)
        if not text.strip():
            raise EmptyInputError(source, "empty file" if not data else "file holds only white space")
    except InputError as exc:
        yield Problem(source, exc.reason)
        return
    if suffix in JSONL_SUFFIXES:
        yield from iter_jsonl(text.splitlines(), source, doc_id, paragraph_sep=sep)
        return
    if suffix in JSON_SUFFIXES:
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            yield Problem(source, f"invalid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})")
            return
        except RecursionError:
            yield Problem(source, _TOO_DEEP)
            return
        records = parsed if isinstance(parsed, list) else [parsed]
        for index, record in enumerate(records, start=1):
            rid = doc_id if len(records) == 1 and not isinstance(parsed, list) else f"{doc_id}:{index}"
            where = index if isinstance(parsed, list) else None
            try:
                yield record_input(record, default_id=rid, source=source, content_hash=_record_hash(record),
                                   paragraph_sep=sep)
            except RecursionError:
                yield Problem(source, _TOO_DEEP, where)
            except InputError as exc:
                yield Problem(source, exc.reason, where)
        return
    kind: Literal["text", "html"] = "html" if suffix in HTML_SUFFIXES else "text"
    item = RawInput(id=doc_id, source=source, content_hash=sha256(data), kind=kind, body=text, encoding=used)
    if known is not None and single:
        known.learn_file(size, st.st_mtime_ns, item)
    yield item


def ignored_kind(path: Path) -> str:
    """How an ignored file is counted: by its suffix (".pdf", ".tar.gz"), or "(no extension)"."""
    suffix = path.suffix.lower()
    if suffix in COMPRESSED and Path(path.stem).suffix:
        return Path(path.stem).suffix.lower() + suffix
    return suffix or "(no extension)"


def _walk(folder: Path, ignored: Counter[str] | None = None) -> Iterator[Path | Problem]:
    """The input files under ``folder`` in name order, and a Problem for each folder that cannot be
    read or link that leads out of it. Files of no input type are counted in ``ignored`` by suffix:
    one line for the run, not a problem each (a scraped tree holds thousands of images)."""
    errors: list[OSError] = []
    top = os.path.realpath(folder)
    # followlinks=False: a symlink loop in a scraped tree must not hang the run
    for root, dirs, files in os.walk(folder, followlinks=False, onerror=errors.append):
        while errors:
            exc = errors.pop(0)
            yield Problem(printable_path(str(exc.filename or root)), f"cannot read folder ({exc.strerror or exc})")
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(root) / name
            if input_suffix(path) not in SUFFIXES:
                if ignored is not None:
                    ignored[ignored_kind(path)] += 1
                continue
            if path.is_symlink():
                # a link inside a scraped tree may point anywhere (passwd.txt -> /etc/passwd): followed
                # only to a file inside the folder given
                target = os.path.realpath(path)
                if os.path.commonpath([top, target]) != top:
                    yield Problem(printable_path(str(path)), "symbolic link to a file outside the folder; not followed")
                    continue
            yield path
    while errors:
        exc = errors.pop(0)
        yield Problem(printable_path(str(exc.filename or folder)), f"cannot read folder ({exc.strerror or exc})")


def _not_regular(st: os.stat_result) -> str | None:
    """Why a file that is not a regular file is not read: a FIFO would wait for ever, /dev/zero
    never end."""
    if stat.S_ISREG(st.st_mode):
        return None
    what = ("a FIFO" if stat.S_ISFIFO(st.st_mode) else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(
        st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode) else "not a file")
    return f"{what}, not a regular file; not read"


def iter_inputs(
    paths: Iterable[str], *, encoding: str | None = None, stdin: IO[str] | None = None, known: Known | None = None,
    parse: Parser | None = None, id_prefix: str = "", csv_columns: CsvColumns | None = None,
    paragraph_sep: str | None = None, ignored: Counter[str] | None = None,
) -> Iterator[RawInput | Problem]:
    """Every document under ``paths`` (folders walked recursively, files, ``-`` for stdin).

    ``id_prefix`` goes before every id made from a path or a line number (not before ids records
    state): ``run A --id-prefix A/`` and ``run B --id-prefix B/`` keep their ``x.txt`` apart.
    ``csv_columns`` names the columns of CSV files (else found by their default names);
    ``paragraph_sep`` splits the text of CSV rows and JSON records into paragraphs there. Files of
    folders that are of no input type are counted in ``ignored``, by suffix.

    With ``known``, inputs an earlier run stored unchanged come out as
    ``unchanged`` records without being read or parsed. ``parse`` parses
    batches of JSON Lines lines (see :func:`iter_jsonl`).
    """
    how = Reading(encoding, csv_columns or CsvColumns(), paragraph_sep)
    for given in paths:
        if given == "-":
            stream = stdin if stdin is not None else sys.stdin
            yield from iter_jsonl(stream, "<stdin>", id_prefix + "-", known, parse, paragraph_sep)
            continue
        path = Path(given)
        shown = printable_path(given)
        if not path.exists():
            yield Problem(shown, "no such file or folder")
            continue
        if path.is_dir():
            found = False
            for file in _walk(path, ignored):
                if isinstance(file, Problem):
                    yield file
                    continue
                found = True
                doc_id = id_prefix + printable_path(file.relative_to(path).as_posix())
                yield from read_file(file, doc_id, how, known, parse)
            if not found:
                yield Problem(
                    shown, f"folder holds no input files ({', '.join(sorted(SUFFIXES))})"
                )
            continue
        if input_suffix(path) not in SUFFIXES:
            yield Problem(shown, f"unsupported file type {path.suffix or '(none)'!r}; expected one of "
                          f"{', '.join(sorted(SUFFIXES))}, or one of those compressed (.gz, .bz2, .xz)")
            continue
        yield from read_file(path, id_prefix + printable_path(path.name), how, known, parse)
