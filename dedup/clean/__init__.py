"""Clean scraped article text: strip page furniture, repair damage, keep offsets.

``clean(raw)`` returns a :class:`CleanResult`: the clean text, every removal or
repair as an :class:`~dedup.models.Edit` in raw offsets, an offset map back to
the raw text, the metadata the head and tail stated, and the defects found.
``RULES`` names every rule an edit can cite, and :func:`version` stamps the
cleaning code, so that a stored clean text made by other code is made again.

The package:

* :mod:`~dedup.clean.cleaner`: clean() itself, the passes over one document;
* :mod:`~dedup.clean.furniture`: line classifiers (what a page puts around an article);
* :mod:`~dedup.clean.rules`: the registry of named rules, line scores, the body block;
* :mod:`~dedup.clean.repair`, :mod:`~dedup.clean.metadata`, :mod:`~dedup.clean.offsets`:
  inline repairs, metadata from head and tail, offset maps;
* :mod:`~dedup.clean.corpus`: corpus furniture (lines that recur across documents), line
  records and counts, and the furniture key a pipeline stores;
* :mod:`~dedup.clean.damage`: what a damaged copy lost against its canonical copy;
* :mod:`~dedup.clean.stamp`: the version stamp, derived from the cleaning code itself.
"""

from __future__ import annotations

from dedup.clean.cleaner import CleanResult, clean
from dedup.clean.corpus import corpus_furniture, furniture_key, normalise_line
from dedup.clean.rules import RULES
from dedup.clean.stamp import stamp

__all__ = ["RULES", "CleanResult", "clean", "corpus_furniture", "furniture_key", "normalise_line", "version"]


def version() -> str:
    """The stamp of the code that makes a clean text (10 hex digits): it changes when the source of a
    module cleaning executes changes, or a rule in :data:`RULES` (see :mod:`dedup.clean.stamp`)."""
    return stamp(RULES)
