"""The local engine: a pool of worker processes, one job at a time each, all cores by default.

* Workers are started with "spawn": MediaPipe's graph threads do not survive ``fork`` (a forked
  child can deadlock), and a fresh interpreter holds none of the parent's memory.
* Each worker's numeric libraries get one thread (see :data:`SINGLE_THREAD_ENV`): with N
  workers on N cores, libraries that each start a thread per core would fight for them.
* A worker is replaced after ``max_tasks_per_child`` jobs, so memory a library keeps or
  leaks between jobs cannot grow over a long batch.
* The parent keeps only a small window of jobs in flight (never the whole batch), writes the
  manifest while workers compute, and feeds a new job the moment one finishes, so workers
  never wait on bookkeeping. The runner orders jobs largest first, so a long video does not
  start last and leave the other cores idle at the end.
* A worker that dies (segfault, out of memory) breaks the pool; its in-flight jobs go to a
  fresh pool, and a job caught in :data:`MAX_CRASHES` crashes is recorded as failed.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from hingecoach.batch.discover import InputFile
from hingecoach.batch.jobs import OTHER_FAILURE, JobSettings, run_job

SINGLE_THREAD_ENV = {
    "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1", "VECLIB_MAXIMUM_THREADS": "1",
    "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1",
}
#: Jobs per worker process before it is replaced: bounds memory; a respawn costs 1-5 s
#: (imports), so it must be rare next to a keypoint file's ~0.1 s job.
MAX_TASKS_PER_CHILD = 250
#: Jobs queued per worker beyond the one it runs: enough to hide the hand-over latency.
QUEUE_PER_WORKER = 2
MAX_CRASHES = 2
#: Where worker processes' stderr goes, inside the output folder.
WORKER_LOG = "workers.log"


def default_workers() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@contextlib.contextmanager
def single_threaded_env():
    """Set :data:`SINGLE_THREAD_ENV` while workers are spawned (they inherit the environment
    at start, before they import numpy); the parent's own values come back afterwards."""
    saved = {k: os.environ.get(k) for k in SINGLE_THREAD_ENV}
    os.environ.update(SINGLE_THREAD_ENV)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def init_worker(log_file: str | None = None) -> None:
    """Runs once in each worker: one OpenCV thread (decoding and colour conversion), and the
    worker's stderr (MediaPipe and FFmpeg write there from C++) appended to ``log_file``
    so it neither garbles the progress bar nor is lost."""
    if log_file is not None:
        fd = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 2)
        os.close(fd)
    try:
        import cv2
    except ImportError:
        return
    cv2.setNumThreads(1)


def _new_pool(workers: int, max_tasks_per_child: int, log_file: str | None) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=init_worker, initargs=(log_file,),
                               max_tasks_per_child=max_tasks_per_child)


def _crashed(item: InputFile) -> dict[str, Any]:
    return {"path": item.path, "person": item.person, "content_hash": None, "status": "failed",
            "failure": OTHER_FAILURE, "seconds": None,
            "reason": "the worker process died while analysing it (out of memory or a crash in a library)"}


def run_local(items: Iterable[InputFile], settings: JobSettings, workers: int | None = None,
              max_tasks_per_child: int = MAX_TASKS_PER_CHILD) -> Iterator[dict[str, Any]]:
    """Run :func:`run_job` over ``items`` on a spawn process pool; yield each outcome as it ends."""
    workers = workers or default_workers()
    log_file = str(Path(settings.out_dir) / WORKER_LOG)
    todo = iter(items)
    retry: list[InputFile] = []
    crashes: dict[str, int] = {}
    in_flight: dict[Future, InputFile] = {}
    with single_threaded_env():
        pool = _new_pool(workers, max_tasks_per_child, log_file)
        try:
            while True:
                while len(in_flight) < workers * (1 + QUEUE_PER_WORKER):
                    item = retry.pop() if retry else next(todo, None)
                    if item is None:
                        break
                    in_flight[pool.submit(run_job, item, settings)] = item
                if not in_flight:
                    return
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                broken = False
                for future in done:
                    item = in_flight.pop(future)
                    try:
                        yield future.result()
                    except BrokenProcessPool:
                        broken = True
                        crashes[item.path] = crashes.get(item.path, 0) + 1
                        if crashes[item.path] >= MAX_CRASHES:
                            yield _crashed(item)
                        else:
                            retry.append(item)
                if broken:
                    retry.extend(in_flight.values())
                    in_flight.clear()
                    pool.shutdown(wait=False, cancel_futures=True)
                    pool = _new_pool(workers, max_tasks_per_child, log_file)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
