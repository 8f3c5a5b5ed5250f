from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SEEDS = FIXTURES / "seeds"
CASES = Path(__file__).resolve().parent / "cases"
SHARED_DATA = ROOT.parent / "shared" / "data"


def seed_id(prefix: str) -> str:
    """The fixture file name of seed NNN (the ids are file names)."""
    (match,) = [p.name for p in SEEDS.iterdir() if p.name.startswith(prefix)]
    return match


def seeds_parquet(path: Path) -> Path:
    """The seeds as one Parquet table at ``path`` (needs pyarrow): a row each, ``id`` the file's name, ``text``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = sorted(p.name for p in SEEDS.iterdir())
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"id": names, "text": [(SEEDS / n).read_text(encoding="utf-8") for n in names]}), path)
    return path


def load_cases(kind: str) -> list[Any]:
    """Data-driven cases: every JSON file in tests/cases/KIND, each with a "comment"."""
    cases = []
    for path in sorted((CASES / kind).glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        assert case.get("comment"), f"{path.name} must say why it exists"
        cases.append(pytest.param(case, id=path.stem))
    return cases


def invoke(*args: str, input: str | None = None) -> Result:
    from dedup.cli import cli

    # wide enough that rich tables do not wrap the words tests look for
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False, env={"COLUMNS": "300"})


@pytest.fixture(scope="session")
def seeds_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The seeds through the CLI once: exit status, JSON and database path, shared by tests."""
    tmp = tmp_path_factory.mktemp("seeds")
    db, out = tmp / "seeds.db", tmp / "seeds.json"
    result = invoke("run", str(SEEDS), "--db", str(db), "--json", str(out))
    return {"result": result, "json": json.loads(out.read_text()), "db": db}
