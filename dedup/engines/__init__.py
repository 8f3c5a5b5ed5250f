"""Engines that run the whole job: ``local`` (a process pool, :func:`dedup.engines.local.run`) and ``spark``.

Both take the same inputs and write the same SQLite database, so every
command that reads a database (report, export, explain, clusters) works
whichever engine made it. Nothing heavy is imported here: pyspark is only
imported when the Spark engine actually runs, so ``import dedup`` never
needs it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ENGINES = ("local", "spark")


def engine(name: str) -> Callable[..., Any]:
    """The ``run`` function of engine ``name``: ``run(paths, *, db, config, ...) -> RunResult``."""
    if name == "local":
        from dedup.engines.local import run

        return run
    if name == "spark":
        from dedup.engines.spark import run_spark

        return run_spark
    from dedup.errors import ConfigError

    raise ConfigError(f"unknown engine {name!r}: choose one of {', '.join(ENGINES)}")


__all__ = ["ENGINES", "engine"]
