"""article-dedup: clean scraped news, cluster the copies of one article, record who quotes whom.

The library API (the ``dedup`` command is a thin layer over it)::

    import dedup
    result = dedup.run(["folder"], db="dedup.db")      # RunResult: documents, clusters, reuses, ...
    result = dedup.run_records([{"id": "a", "text": "..."}])
    cleaned = dedup.clean(raw_text)                      # CleanResult: text, edits, offsets, meta
"""

__version__ = "0.1.0"

from dedup.clean import CleanResult, clean
from dedup.config import Config
from dedup.corpus import Corpus
from dedup.engines.local import run, run_records
from dedup.engines.stages import RunResult
from dedup.errors import (
    BinaryInputError,
    ConfigError,
    DecodeError,
    DedupError,
    DocumentNotFound,
    EmptyInputError,
    InputError,
    RecordError,
    StoreError,
)
from dedup.ingest_fields import CsvColumns
from dedup.models import (
    Attribution,
    Citation,
    Cluster,
    Document,
    Edit,
    Gap,
    PairScore,
    Problem,
    Reuse,
    Span,
)

__all__ = [
    "Attribution",
    "BinaryInputError",
    "Citation",
    "CleanResult",
    "Cluster",
    "Config",
    "ConfigError",
    "Corpus",
    "CsvColumns",
    "DecodeError",
    "DedupError",
    "Document",
    "DocumentNotFound",
    "Edit",
    "EmptyInputError",
    "Gap",
    "InputError",
    "PairScore",
    "Problem",
    "RecordError",
    "Reuse",
    "RunResult",
    "Span",
    "StoreError",
    "__version__",
    "clean",
    "run",
    "run_records",
]
