"""One batch job: one input file -> one stored result, with exactly the analysis of
``hinge analyze`` (:func:`hingecoach.cli.analyze.analyze_path`, :meth:`Analysis.to_dict`).

A job is a plain function of picklable arguments returning a plain dict, so the same code
runs in a local process pool and as a Ray task. It hashes the input's content first; a
result already stored for that content with the same settings is not redone (resume, and
renamed or copied files). Input a person could fix (a corrupt video, no person in view) is
recorded as a failure with its reason and not retried; an unexpected error is recorded too
but retried by the next run, since it may not come from the file. An input whose analysis
killed its worker process on every try (a crash in a native library: the engine retried it
already) is recorded as a "crash" and, like a bad file, not retried unless asked.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeGuard

from hingecoach.batch import layout
from hingecoach.batch.discover import InputFile
from hingecoach.errors import HingeInputError
from hingecoach.sources.suffixes import is_video, runs_pose

#: Kinds of failure: "input" is the file's fault (kept, not retried); "crash": its analysis
#: killed the worker process on every try (kept, not retried); "error" is retried.
INPUT_FAILURE = "input"
CRASH_FAILURE = "crash"
OTHER_FAILURE = "error"
NOT_RETRIED = (INPUT_FAILURE, CRASH_FAILURE)
#: Tests only: ``crash:<text>`` ends the worker process (os._exit) on inputs whose file name
#: holds <text>; ``sleep:<seconds>`` slows every analysis down. Comma-separated.
TEST_HOOK_ENV = "HINGECOACH_BATCH_TEST_HOOK"


@dataclass(frozen=True)
class JobSettings:
    """What every job of a batch shares. ``pose_cache`` lets the video loader reuse keypoints
    cached from an earlier run of the same content (it does not change results); ``fps`` and
    ``model`` are `hinge analyze`'s --fps and --model for videos and photos (None: its defaults)."""

    out_dir: str
    level: str | None = None
    pose_cache: bool = True
    save_keypoints: bool = True
    retry_failed: bool = False
    fps: float | str | None = None
    model: str | None = None

    def fingerprint(self) -> dict[str, Any]:
        """Settings that change a result: a stored result with another fingerprint is redone
        (the defaults leave the fingerprint as it was before --fps and --model existed)."""
        from hingecoach import __version__

        chosen = {key: value for key, value in (("fps", self.fps), ("model", self.model)) if value is not None}
        return {"hingecoach_version": __version__, "level": self.level} | chosen


def content_hash(path: Path) -> str:
    """sha256 of the file's bytes; for a folder input (OpenPose frames) of its files in order."""
    import hashlib

    from hingecoach.sources.cache import file_sha256

    if not path.is_dir():
        return file_sha256(path)
    digest = hashlib.sha256()
    for child in sorted(p for p in path.iterdir() if p.is_file()):
        digest.update(child.name.encode() + b"\0" + file_sha256(child).encode())
    return digest.hexdigest()


def reusable(record: dict[str, Any] | None, settings: JobSettings) -> TypeGuard[dict[str, Any]]:
    """True when a stored record stands: same settings, and done or failed for the input's sake."""
    if record is None or record["batch"].get("settings") != settings.fingerprint():
        return False
    status = record["batch"].get("status")
    if status == "done":
        return True
    return status == "failed" and record["batch"].get("failure") in NOT_RETRIED and not settings.retry_failed


def _test_hook(path: Path) -> None:
    """See :data:`TEST_HOOK_ENV` (a no-op unless that variable is set)."""
    for part in filter(None, os.environ.get(TEST_HOOK_ENV, "").split(",")):
        kind, _, arg = part.partition(":")
        if kind == "crash" and arg and arg in path.name:
            os._exit(70)
        if kind == "sleep":
            time.sleep(float(arg))


def _outcome(item: InputFile, digest: str | None, status: str, started: float, **extra: Any) -> dict[str, Any]:
    return {"path": item.path, "person": item.person, "content_hash": digest, "status": status,
            "seconds": round(time.perf_counter() - started, 3), **extra}


def _analyse(path: Path, settings: JobSettings, digest: str) -> dict[str, Any]:
    """Analyse like ``hinge analyze`` and save the keypoints of videos; returns to_dict()."""
    from hingecoach.analysis import analyze
    from hingecoach.sources import load, save_keypoints

    options: dict[str, Any] = {"progress": False}
    if is_video(path):
        options["cache"] = settings.pose_cache
        options["pose_threads"] = 1  # one video per worker already fills the cores ([video] pose_threads)
        if settings.fps is not None:
            options["fps"] = settings.fps
    if runs_pose(path) and settings.model is not None:
        options["model"] = settings.model
    result = analyze(load(path, **options), level=settings.level)
    data = result.to_dict()
    if settings.save_keypoints and is_video(path):
        final = layout.keypoints_path(Path(settings.out_dir), digest)
        final.parent.mkdir(parents=True, exist_ok=True)
        save_keypoints(result.pose, final)  # atomic: a temporary name, then a rename
        data["keypoints_file"] = str(final.relative_to(settings.out_dir))
    return data


def _failure(exc: Exception) -> tuple[str, str]:
    if isinstance(exc, HingeInputError):
        return INPUT_FAILURE, str(exc)
    return OTHER_FAILURE, f"{type(exc).__name__}: {exc}"


def run_job(item: InputFile, settings: JobSettings) -> dict[str, Any]:
    """Analyse one input unless its content is done; store the result or the failure."""
    started = time.perf_counter()
    path = Path(item.path)
    try:
        digest = content_hash(path)
    except OSError as exc:
        return _outcome(item, None, "failed", started, failure=OTHER_FAILURE,
                        reason=f"cannot read the file: {exc.strerror or exc}")
    out_dir = Path(settings.out_dir)
    stored = layout.read_result(out_dir, digest)
    if reusable(stored, settings):
        batch = stored["batch"]
        return _outcome(item, digest, "skipped", started, previous=batch["status"],
                        failure=batch.get("failure"), reason=batch.get("reason"))
    block: dict[str, Any] = {"content_hash": digest, "input": item.path, "person": item.person,
                             "settings": settings.fingerprint()}
    try:
        _test_hook(path)
        data = _analyse(path, settings, digest)
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the batch
        kind, reason = _failure(exc)
        block |= {"status": "failed", "failure": kind, "reason": reason}
        layout.write_json_atomic(layout.result_path(out_dir, digest), {"batch": block})
        return _outcome(item, digest, "failed", started, failure=kind, reason=reason)
    block |= {"status": "done", "seconds": round(time.perf_counter() - started, 3)}
    layout.write_json_atomic(layout.result_path(out_dir, digest), data | {"batch": block})
    return _outcome(item, digest, "done", started, rep_count=data.get("rep_count"))


def settings_dict(settings: JobSettings) -> dict[str, Any]:
    return asdict(settings)


def record_crash(item: InputFile, settings: JobSettings, reason: str) -> dict[str, Any]:
    """Store a "crash" failure for an input that killed its worker process on every try (the
    engine calls this after its retries), so the next run does not try it again."""
    started = time.perf_counter()
    try:
        digest = content_hash(Path(item.path))
    except OSError as exc:
        return _outcome(item, None, "failed", started, failure=OTHER_FAILURE,
                        reason=f"cannot read the file: {exc.strerror or exc}")
    block = {"content_hash": digest, "input": item.path, "person": item.person,
             "settings": settings.fingerprint(), "status": "failed", "failure": CRASH_FAILURE, "reason": reason}
    layout.write_json_atomic(layout.result_path(Path(settings.out_dir), digest), {"batch": block})
    return _outcome(item, digest, "failed", started, failure=CRASH_FAILURE, reason=reason)
