"""The cluster engine: the same :func:`run_job` shipped as Ray tasks.

``ray`` is an optional extra (``pip install 'hingecoach[ray]'``). Without an address a local
Ray instance is started with ``workers`` CPUs; with ``address`` (or the ``RAY_ADDRESS``
environment variable, e.g. ``ray://head:10001`` or ``auto`` on a cluster node) the batch runs on
that cluster. If Ray is already initialised in this process (a notebook, the tests), that
instance is used and left running. Each task writes its result into the output folder itself,
so on a multi-node cluster OUT_DIR and the inputs must be on a path every node sees (NFS, a
mounted bucket); only the small outcome dict travels back to the driver.

Failures: a task whose worker process or node is lost (a node killed, a spot instance taken
back) is submitted again by the driver, which counts the two causes apart: up to
:data:`MAX_RETRIES` more tries after worker crashes, and as many after node losses. Ray's own
retries are off because they keep only the last try's error: a poison input whose last try
happened to be on a node being killed came back as a lost node, not a crash, and was neither
recorded nor skipped by the next run (the flaky 1 in 9 of the cluster test). Results are keyed
by content and written atomically, so a task that had already written its result before its
node was lost finds it on the retry and reports it as skipped: each input gets one outcome and
one result. An input that kills its worker process on every try (a poison input) fails alone
and is recorded as a "crash" (not tried again unless ``--retry-failed``); an input still lost
after its tries for another reason (nodes lost again and again) is reported failed but not
recorded, so the next run tries it again.

Tasks take one CPU each, workers run with one thread per numeric library (the same
environment as the local pool), a worker process is replaced after ``max_calls`` tasks
(constant memory), and the driver keeps a bounded window of tasks in flight, so the
driver's memory does not grow with the batch.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Any

from hingecoach.batch.discover import InputFile
from hingecoach.batch.jobs import OTHER_FAILURE, TEST_HOOK_ENV, JobSettings, record_crash, run_job
from hingecoach.batch.local import MAX_TASKS_PER_CHILD, QUEUE_PER_WORKER, SINGLE_THREAD_ENV, init_worker
from hingecoach.errors import HingeInputError


def import_ray():
    try:
        import ray
    except ImportError as exc:
        raise HingeInputError("The Ray engine needs the ray package, which is not installed.",
                              "Install it with `pip install 'hingecoach[ray]'`, or use --engine local.") from exc
    return ray


#: Times a task is run again after its worker process crashed, and again after its node was lost.
MAX_RETRIES = 3


def _ray_task(item: InputFile, settings: JobSettings) -> dict[str, Any]:
    import ray

    init_worker()
    return run_job(item, settings) | {"node": ray.get_runtime_context().get_node_id()[:12]}


def connect(workers: int | None = None, address: str | None = None) -> bool:
    """Start or join Ray unless it is already up; True when this call started it."""
    ray = import_ray()
    if ray.is_initialized():
        return False
    address = address or os.environ.get("RAY_ADDRESS") or None
    env = dict(SINGLE_THREAD_ENV)
    if os.environ.get(TEST_HOOK_ENV):
        env[TEST_HOOK_ENV] = os.environ[TEST_HOOK_ENV]
    options: dict[str, Any] = {"runtime_env": {"env_vars": env},
                               "log_to_driver": False, "configure_logging": False}
    if address:
        ray.init(address=address, **options)
    else:
        from hingecoach.batch.local import default_workers

        ray.init(num_cpus=workers or default_workers(), include_dashboard=False, **options)
    return True


def _failed(item: InputFile, exc: Exception, settings: JobSettings) -> dict[str, Any]:
    """The outcome of a task Ray gave up on: a poison input is recorded, anything else is not."""
    import ray

    if isinstance(exc, ray.exceptions.WorkerCrashedError):
        return record_crash(item, settings, f"the worker process died while analysing it, on each of "
                                            f"{MAX_RETRIES + 1} tries (a crash in a library, or out of memory)")
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return {"path": item.path, "person": item.person, "content_hash": None, "status": "failed",
            "failure": OTHER_FAILURE, "seconds": None,
            "reason": f"Ray task lost after {MAX_RETRIES + 1} tries: {type(exc).__name__}: {first_line}"}


def _try_again(counts: dict[str, int], exc: Exception) -> bool:
    """Count a failed try of one input by its cause; True while that cause has tries left. A
    worker crash and a lost node (or object) have a budget each; any other error none."""
    import ray

    if isinstance(exc, ray.exceptions.WorkerCrashedError):
        cause = "crash"
    elif isinstance(exc, ray.exceptions.NodeDiedError | ray.exceptions.ObjectLostError
                    | ray.exceptions.LocalRayletDiedError):
        cause = "lost"
    else:
        return False
    counts[cause] = counts.get(cause, 0) + 1
    return counts[cause] <= MAX_RETRIES


def run_ray(items: Iterable[InputFile], settings: JobSettings, workers: int | None = None,
            address: str | None = None) -> Iterator[dict[str, Any]]:
    """Run :func:`run_job` over ``items`` as Ray tasks; yield each outcome as it ends."""
    ray = import_ray()
    started_here = connect(workers, address)
    try:
        task = ray.remote(num_cpus=1, max_calls=MAX_TASKS_PER_CHILD, max_retries=0,
                          retry_exceptions=False)(_ray_task)
        cpus = int(ray.cluster_resources().get("CPU", 1))
        window = max(1, cpus) * (1 + QUEUE_PER_WORKER)
        settings_ref = ray.put(settings)
        todo = iter(items)
        in_flight: dict[Any, InputFile] = {}
        tries: dict[str, dict[str, int]] = {}  # per input in flight: crashes and node losses so far
        while True:
            while len(in_flight) < window and (item := next(todo, None)) is not None:
                in_flight[task.remote(item, settings_ref)] = item
            if not in_flight:
                return
            ready, _ = ray.wait(list(in_flight), num_returns=1)
            for ref in ready:
                item = in_flight.pop(ref)
                try:
                    outcome = ray.get(ref)
                except ray.exceptions.RayError as exc:
                    if _try_again(tries.setdefault(item.path, {}), exc):
                        in_flight[task.remote(item, settings_ref)] = item
                        continue
                    outcome = _failed(item, exc, settings)
                tries.pop(item.path, None)
                yield outcome
    finally:
        if started_here:
            ray.shutdown()
