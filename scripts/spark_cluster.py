"""A Spark standalone cluster on this machine, started from the installed pyspark: a master and N workers
on 127.0.0.1 (``spark-class ...Master`` / ``...Worker``), for the cluster tests and ``scripts/bench-spark --cluster``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(predicate: Callable[[], bool], seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def stop(procs: list[subprocess.Popen[bytes]], seconds: float = 30) -> None:
    """Stop the JVMs started here: a polite signal to each, then a kill for any still there."""
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            proc.kill()


class ClusterError(RuntimeError):
    """The cluster could not start (the logs' tails are in the message)."""


def spark_home() -> Path | None:
    """The installed pyspark's home, when it can start a cluster (its spark-class, and java)."""
    import pyspark

    home = Path(pyspark.__file__).parent
    return home if (home / "bin" / "spark-class").exists() and shutil.which("java") else None


@contextmanager
def standalone(logs: Path, workers: int = 2, cores: int = 1, memory: str = "1g") -> Iterator[str]:
    """Start a master and ``workers`` workers; yields the master's ``spark://`` URL; stops them after."""
    home = spark_home()
    if home is None:
        raise ClusterError("no spark-class or java to start a standalone cluster")
    logs.mkdir(parents=True, exist_ok=True)
    port = free_port()
    master = f"spark://127.0.0.1:{port}"
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1", "PYSPARK_PYTHON": sys.executable}
    procs: list[subprocess.Popen[bytes]] = []

    def start(name: str, *args: str) -> None:
        out = (logs / f"{name}.log").open("wb")
        procs.append(subprocess.Popen([str(home / "bin" / "spark-class"), *args], env=env, stdout=out,
                                      stderr=subprocess.STDOUT, start_new_session=True))

    try:
        start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(port),
              "--webui-port", str(free_port()))
        for k in range(1, workers + 1):
            work = logs / f"worker{k}-work"
            work.mkdir(exist_ok=True)
            start(f"worker{k}", "org.apache.spark.deploy.worker.Worker", master, "--cores", str(cores), "--memory",
                  memory, "--webui-port", str(free_port()), "--work-dir", str(work))

        def registered() -> bool:
            return (logs / "master.log").read_text(errors="replace").count("Registering worker") >= workers

        if not wait_for(registered, 90):
            raise ClusterError("the standalone cluster did not start:\n" + "\n".join(
                p.read_text(errors="replace")[-2000:] for p in sorted(logs.glob("*.log"))))
        yield master
    finally:
        stop(procs)


#: the settings a run on this cluster needs (executors run this interpreter, as a shipped venv would)
def cluster_conf() -> dict[str, str]:
    return {"spark.pyspark.python": sys.executable, "spark.driver.host": "127.0.0.1", "spark.executor.memory": "1g",
            "spark.sql.shuffle.partitions": "4", "spark.ui.enabled": "false"}
