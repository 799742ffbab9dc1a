"""A whole batch: find the inputs, run the jobs on an engine, keep the manifest, write the
tables. Re-running the same command resumes: stored results are kept (see
:mod:`hingecoach.batch.jobs`), so only what is missing or retryable is analysed."""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hingecoach.batch import layout
from hingecoach.batch.discover import InputFile, discover
from hingecoach.batch.jobs import JobSettings
from hingecoach.errors import HingeInputError

ENGINES = ("local", "ray")


@dataclass
class BatchReport:
    """What a run did: counts by status, the first failures, the tables written."""

    run_id: str
    total: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {"done": 0, "skipped": 0, "failed": 0})
    failures: list[dict[str, Any]] = field(default_factory=list)
    tables: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    MAX_LISTED_FAILURES = 20

    def add(self, outcome: dict[str, Any]) -> None:
        status = outcome["status"]
        failed_before = status == "skipped" and outcome.get("previous") == "failed"
        self.counts[status] = self.counts.get(status, 0) + 1
        if (status == "failed" or failed_before) and len(self.failures) < self.MAX_LISTED_FAILURES:
            self.failures.append(outcome)


def largest_first(items: list[InputFile]) -> list[InputFile]:
    """Longest jobs first (file size stands in for length), so the last jobs are short and no
    core sits idle while one long video finishes."""
    def size(item: InputFile) -> int:
        try:
            return os.stat(item.path).st_size
        except OSError:
            return 0

    return sorted(items, key=size, reverse=True)


def check_level(level: str | None) -> None:
    from hingecoach.config import thresholds

    try:
        thresholds(level)
    except KeyError as exc:
        raise HingeInputError(f"Unknown level {level!r}.", str(exc.args[0])) from exc


def engine_outcomes(engine: str, items: list[InputFile], settings: JobSettings, workers: int | None,
                    ray_address: str | None) -> Iterator[dict[str, Any]]:
    if engine == "local":
        from hingecoach.batch.local import run_local

        return run_local(items, settings, workers)
    if engine == "ray":
        from hingecoach.batch.ray_engine import run_ray

        return run_ray(items, settings, workers, ray_address)
    raise HingeInputError(f"Unknown engine {engine!r}.", f"Use one of {', '.join(ENGINES)}.")


def _progress(total: int, enabled: bool | None):
    from tqdm import tqdm

    show = sys.stderr.isatty() if enabled is None else enabled
    return tqdm(total=total, desc="batch", unit="file", file=sys.stderr, disable=not show,
                smoothing=0.1, dynamic_ncols=True)


def this_run(out_dir: Path, run_id: str) -> Iterator[dict[str, Any]]:
    """The manifest lines of one run, streamed (the manifest may hold many runs)."""
    return (entry for entry in layout.read_manifest(out_dir) if entry.get("run") == run_id)


def run_batch(source: Path, out_dir: Path, *, workers: int | None = None, engine: str = "local",
              level: str | None = None, pose_cache: bool = True, save_keypoints: bool = True,
              retry_failed: bool = False, ray_address: str | None = None,
              progress: bool | None = None, fps: float | str | None = None,
              model: str | None = None) -> BatchReport:
    """Analyse every input of ``source`` into ``out_dir`` and write the tables; ``fps`` and
    ``model`` as `hinge analyze`'s (None: its defaults)."""
    started = time.perf_counter()
    out_dir = Path(out_dir)
    check_level(level)
    if model is not None:
        from hingecoach.sources.pose_models import check_model

        check_model(model)  # a missing model stops the batch here, not as a failure per input
    items = largest_first(discover(Path(source), exclude=out_dir))
    out_dir.mkdir(parents=True, exist_ok=True)
    settings = JobSettings(out_dir=str(out_dir.resolve()), level=level, pose_cache=pose_cache,
                           save_keypoints=save_keypoints, retry_failed=retry_failed, fps=fps, model=model)
    report = BatchReport(run_id=f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}", total=len(items))
    with _progress(len(items), progress) as bar:
        for outcome in engine_outcomes(engine, items, settings, workers, ray_address):
            layout.append_manifest(out_dir, {"run": report.run_id, "at": time.time(), **outcome})
            report.add(outcome)
            bar.update(1)
            bar.set_postfix(failed=report.counts["failed"], refresh=False)
    report.tables = _tables(out_dir, report.run_id)
    report.seconds = time.perf_counter() - started
    return report


def _tables(out_dir: Path, run_id: str) -> dict[str, Any]:
    from hingecoach.batch.table import write_tables

    return write_tables(out_dir, this_run(out_dir, run_id))
