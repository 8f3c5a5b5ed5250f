"""Exceptions raised by article-dedup.

The tree, drawn once::

    DedupError
    ├── InputError            one input cannot be used; the run records it and goes on
    │   ├── BinaryInputError  the file is not text (an image, an archive, NUL bytes)
    │   ├── DecodeError       the bytes fit no text encoding we trust
    │   ├── EmptyInputError   nothing but white space
    │   └── RecordError       a JSON record is malformed or has no text/html
    ├── DocumentNotFound      no document of that id in the database (also a KeyError)
    ├── ConfigError           settings that cannot work together
    ├── ExtractorError        the HTML extractor does not work in this installation
    └── StoreError            the database cannot be used (locked, other scheme, corrupt)

Library callers catch :class:`DedupError`; the CLI turns each kind into a
one-line message and an exit status.
"""

from __future__ import annotations


class DedupError(Exception):
    """Base of every error this package raises on purpose."""


class InputError(DedupError):
    """One input (file or record) cannot be used. ``path`` names it."""

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        self.path = path
        self.reason = reason
        self.line = line
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {reason}")


class BinaryInputError(InputError):
    pass


class DecodeError(InputError):
    pass


class EmptyInputError(InputError):
    pass


class RecordError(InputError):
    pass


class ConfigError(DedupError):
    pass


class StoreError(DedupError):
    pass


class ExtractorError(DedupError):
    """trafilatura (or a library it needs) does not import: every HTML input would fail the same way,
    so the run stops once with this message instead of skipping each one."""


class DocumentNotFound(DedupError, KeyError):
    """No stored document has the id asked for; the message names the database and close ids."""

    def __str__(self) -> str:  # (KeyError's str quotes its argument)
        return str(self.args[0]) if self.args else ""
