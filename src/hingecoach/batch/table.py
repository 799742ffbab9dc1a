"""The results table: one row per repetition of every analysed input, as Parquet and CSV.

Columns (a fixed schema, so tables from different batches concatenate):

=====================  ==========================================================
video                  the input's path as given to this batch
content_hash           sha256 of the input's bytes (the key of its stored result)
person                 whose movement, when known (see :mod:`hingecoach.batch.discover`)
rep_index              the repetition's number in the set, from 0
partial                the repetition was cut off by the start or end of the recording
pattern                hinge, squat or stoop (as ``hinge analyze``)
pattern_confidence     0-1
faults                 the fault codes flagged on the rep, ``;``-joined, most important first
fault_<code>           one boolean column per fault code of the thresholds file
major_faults           the codes of major severity, ``;``-joined
score                  the rep's score 0-100
depth_hip_angle_deg    hip angle at the bottom of the rep
start_s .. ascent_s    timing of the rep in seconds
view, facing, level    of the recording and the grading
=====================  ==========================================================

Rows are written in batches, so memory stays flat however many inputs there are; both
files are written to temporary names and renamed into place when complete.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from hingecoach import atomic
from hingecoach.batch import layout

ROWS_PER_BATCH = 5000
_TIMES = ("start_s", "bottom_s", "end_s", "descent_s", "ascent_s")


def fault_codes() -> list[str]:
    """Every fault code the assessment can flag, in the thresholds file's order."""
    from hingecoach.assess.specs import fault_specs

    return list(fault_specs())


def schema(codes: list[str]):
    import pyarrow as pa

    fields = [("video", pa.string()), ("content_hash", pa.string()), ("person", pa.string()),
              ("rep_index", pa.int32()), ("partial", pa.bool_()), ("pattern", pa.string()),
              ("pattern_confidence", pa.float64()), ("faults", pa.string())]
    fields += [(f"fault_{code}", pa.bool_()) for code in codes]
    fields += [("major_faults", pa.string()), ("score", pa.float64()), ("depth_hip_angle_deg", pa.float64())]
    fields += [(name, pa.float64()) for name in _TIMES]
    fields += [("view", pa.string()), ("facing", pa.string()), ("level", pa.string()),
               ("exercise", pa.string()), ("rep_exercise", pa.string()), ("standard", pa.string())]
    return pa.schema(fields)


def rep_rows(result: dict[str, Any], video: str, person: str | None, codes: list[str]) -> Iterator[dict]:
    """One row per rep of a stored result (the JSON of ``hinge analyze`` plus its batch block)."""
    for rep in result.get("reps", []):
        flagged = [f["code"] for f in rep.get("faults", [])]
        row = {"video": video, "content_hash": result["batch"]["content_hash"], "person": person,
               "rep_index": rep.get("index"), "partial": rep.get("partial"), "pattern": rep.get("pattern"),
               "pattern_confidence": rep.get("pattern_confidence"), "faults": ";".join(flagged)}
        row |= {f"fault_{code}": code in flagged for code in codes}
        row["major_faults"] = ";".join(f["code"] for f in rep.get("faults", []) if f.get("severity") == "major")
        row |= {"score": rep.get("score"), "depth_hip_angle_deg": rep.get("depth_hip_angle_deg")}
        row |= {name: rep.get(name) for name in _TIMES}
        row |= {"view": rep.get("view") or result.get("view"), "facing": result.get("facing"),
                "level": result.get("level"), "exercise": result.get("exercise"),
                "rep_exercise": rep.get("exercise"), "standard": result.get("standard")}
        yield row


class RepTableWriter:
    """Streams rows into ``reps.parquet`` and ``reps.csv`` (atomically, on :meth:`close`)."""

    def __init__(self, out_dir: Path, codes: list[str] | None = None, stem: str = "reps") -> None:
        import pyarrow.parquet as pq

        self.codes = fault_codes() if codes is None else codes
        self.schema = schema(self.codes)
        self.final = {ext: Path(out_dir) / f"{stem}.{ext}" for ext in ("parquet", "csv")}
        self.tmp = {ext: atomic.temporary_name(path) for ext, path in self.final.items()}
        self._parquet = pq.ParquetWriter(str(self.tmp["parquet"]), self.schema)
        self._csv_file = self.tmp["csv"].open("w", newline="", encoding="utf-8")
        self._csv = csv.DictWriter(self._csv_file, fieldnames=self.schema.names)
        self._csv.writeheader()
        self._rows: list[dict] = []
        self.rows_written = 0

    def add(self, rows: Iterable[dict]) -> None:
        for row in rows:
            self._rows.append(row)
            if len(self._rows) >= ROWS_PER_BATCH:
                self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        if not self._rows:
            return
        self._parquet.write_table(pa.Table.from_pylist(self._rows, schema=self.schema))
        self._csv.writerows({k: ("" if v is None else v) for k, v in r.items()} for r in self._rows)
        self.rows_written += len(self._rows)
        self._rows = []

    def close(self) -> dict[str, Path]:
        """Write what is left and put both files in place."""
        self._flush()
        self._parquet.close()
        self._csv_file.close()
        for ext, final in self.final.items():
            os.replace(self.tmp[ext], final)
        return self.final

    def abort(self) -> None:
        self._parquet.close()
        self._csv_file.close()
        for tmp in self.tmp.values():
            tmp.unlink(missing_ok=True)


VIDEO_COLUMNS = ("video", "content_hash", "person", "status", "failure", "reason", "rep_count",
                 "score", "pattern", "exercise", "exercise_confidence", "view", "seconds")


def video_row(outcome: dict[str, Any], result: dict[str, Any] | None) -> dict[str, Any]:
    """One row of ``videos.csv``: what became of an input in this run."""
    result = result or {}
    batch = result.get("batch", {})
    status = batch.get("status", outcome["status"])
    return {"video": outcome["path"], "content_hash": outcome.get("content_hash"), "person": outcome.get("person"),
            "status": status, "failure": batch.get("failure", outcome.get("failure")),
            "reason": batch.get("reason", outcome.get("reason")), "rep_count": result.get("rep_count"),
            "score": result.get("score"), "pattern": result.get("pattern"), "exercise": result.get("exercise"),
            "exercise_confidence": result.get("exercise_confidence"), "view": result.get("view"),
            "seconds": outcome.get("seconds")}


def write_tables(out_dir: Path, outcomes: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Build ``reps.parquet``, ``reps.csv`` and ``videos.csv`` from this run's outcomes,
    reading each input's stored result. Returns paths and row counts."""
    out_dir = Path(out_dir)
    reps = RepTableWriter(out_dir)
    videos_final = out_dir / "videos.csv"
    n_videos = 0
    try:
        with atomic.open_atomic(videos_final, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=VIDEO_COLUMNS)
            writer.writeheader()
            for outcome in outcomes:
                digest = outcome.get("content_hash")
                result = layout.read_result(out_dir, digest) if digest else None
                writer.writerow({k: ("" if v is None else v) for k, v in video_row(outcome, result).items()})
                n_videos += 1
                if result is not None and result["batch"].get("status") == "done":
                    reps.add(rep_rows(result, outcome["path"], outcome.get("person"), reps.codes))
    except BaseException:
        reps.abort()
        raise
    paths = reps.close()
    return {"reps_parquet": paths["parquet"], "reps_csv": paths["csv"], "videos_csv": videos_final,
            "rep_rows": reps.rows_written, "videos": n_videos}
