"""Batch analysis: discovery, resume by content hash, atomic results, the per-rep table.

Most checks call the job function in this process (fast); a few run the real process pool."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from hingecoach import atomic
from hingecoach.batch import layout
from hingecoach.batch.discover import InputFile, discover
from hingecoach.batch.jobs import JobSettings, run_job
from hingecoach.batch.runner import run_batch
from hingecoach.cli import main
from hingecoach.sources import save_keypoints
from tests.fixtures.figures import hinge_reps

CORRUPT_MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x13\x37" * 200  # an MP4 header, then garbage


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """Two keypoint sets (3 and 4 reps, for ann and bob) and a corrupt video."""
    root = tmp_path / "in"
    (root / "person=ann" / "day1").mkdir(parents=True)
    (root / "misc").mkdir()
    save_keypoints(hinge_reps(3), root / "person=ann" / "day1" / "set1.json")
    save_keypoints(hinge_reps(4, depth_trunk_deg=55.0), root / "misc" / "set2.csv")
    (root / "misc" / "set2.csv.person").write_text("bob\n")
    (root / "misc" / "broken.mp4").write_bytes(CORRUPT_MP4)
    return root


def _read_csv(path: Path) -> list[dict]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def test_discover_folder_finds_inputs_and_people(inputs: Path, tmp_path: Path) -> None:
    (inputs / "misc" / "set3.tmp-abc.json").write_text("{")  # a crashed writer's leftover
    (inputs / ".hidden.json").write_text("{}")
    (inputs / "notes.md").write_text("not an input")
    out = inputs / "out"  # an output folder inside the input folder is not input
    out.mkdir()
    save_keypoints(hinge_reps(1), out / "x.json")
    found = {Path(i.path).name: i.person for i in discover(inputs, exclude=out)}
    assert found == {"set1.json": "ann", "set2.csv": "bob", "broken.mp4": None}


def test_discover_list_file(inputs: Path, tmp_path: Path) -> None:
    listing = tmp_path / "todo.txt"
    listing.write_text("# my videos\n\nin/misc/set2.csv\ncarol\n" .replace("\ncarol", "\tcarol")
                       + f"{inputs / 'person=ann/day1/set1.json'}\n")
    found = discover(listing)
    assert [(Path(i.path).name, i.person) for i in found] == [("set2.csv", "carol"), ("set1.json", "ann")]
    assert Path(found[0].path).is_file()


def test_discover_rejects_a_plain_file_and_an_empty_folder(inputs: Path, tmp_path: Path) -> None:
    from hingecoach.errors import HingeInputError

    with pytest.raises(HingeInputError, match="neither a folder nor a list"):
        discover(inputs / "misc" / "set2.csv")
    (tmp_path / "empty").mkdir()
    with pytest.raises(HingeInputError, match="no videos or keypoint files"):
        discover(tmp_path / "empty")


def test_job_resume_rename_and_failure_records(inputs: Path, tmp_path: Path) -> None:
    settings = JobSettings(out_dir=str(tmp_path / "out"))
    item = InputFile(str(inputs / "misc" / "set2.csv"), "bob")
    first = run_job(item, settings)
    assert first["status"] == "done" and first["rep_count"] == 4
    stored = layout.read_result(tmp_path / "out", first["content_hash"])
    assert stored["batch"]["person"] == "bob" and len(stored["reps"]) >= 4
    renamed = tmp_path / "renamed.csv"
    shutil.copy(item.path, renamed)
    again = run_job(InputFile(str(renamed)), settings)
    assert again["status"] == "skipped" and again["content_hash"] == first["content_hash"]
    broken = run_job(InputFile(str(inputs / "misc" / "broken.mp4")), settings)
    assert broken["status"] == "failed" and broken["failure"] == "input"
    assert "damaged" in broken["reason"]
    assert run_job(InputFile(str(inputs / "misc" / "broken.mp4")), settings)["status"] == "skipped"
    retry = JobSettings(out_dir=settings.out_dir, retry_failed=True)
    assert run_job(InputFile(str(inputs / "misc" / "broken.mp4")), retry)["status"] == "failed"
    final = layout.result_path(tmp_path / "out", first["content_hash"])
    older = json.loads(final.read_text())
    older["batch"]["settings"]["hingecoach_version"] = "0.0.1"  # made by another version
    final.write_text(json.dumps(older))
    assert run_job(item, settings)["status"] == "done"


def test_unreadable_input_is_a_failure_not_a_crash(tmp_path: Path) -> None:
    outcome = run_job(InputFile(str(tmp_path / "gone.json")), JobSettings(out_dir=str(tmp_path / "out")))
    assert outcome["status"] == "failed" and "cannot read" in outcome["reason"]


def test_leftover_temporary_or_truncated_result_is_not_done(inputs: Path, tmp_path: Path) -> None:
    settings = JobSettings(out_dir=str(tmp_path / "out"))
    item = InputFile(str(inputs / "person=ann" / "day1" / "set1.json"))
    digest = run_job(item, settings)["content_hash"]
    final = layout.result_path(tmp_path / "out", digest)
    text = final.read_text()
    final.unlink()
    atomic.temporary_name(final).write_text(text[: len(text) // 2])  # a crash mid-write
    assert run_job(item, settings)["status"] == "done"
    final.write_text(text[: len(text) // 2])  # even a truncated final file is not trusted
    assert run_job(item, settings)["status"] == "done"
    assert json.loads(final.read_text())["batch"]["status"] == "done"


def test_write_json_atomic_keeps_the_old_file_when_the_writer_fails(tmp_path: Path) -> None:
    final = tmp_path / "r" / "x.json"

    def crash(tmp: Path) -> None:
        tmp.write_text('{"half": ')
        raise RuntimeError("killed mid-write")

    layout.write_json_atomic(final, {"a": 1})  # creates the folder
    with pytest.raises(RuntimeError):
        atomic.write_atomic(final, crash)
    assert json.loads(final.read_text()) == {"a": 1}  # the old complete file survives
    assert [p.name for p in (tmp_path / "r").iterdir()] == ["x.json"]


def test_local_pool_batch_table_and_resume(inputs: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "out"
    report = run_batch(inputs, out, workers=2, progress=False)
    assert report.counts == {"done": 2, "skipped": 0, "failed": 1}
    assert "damaged" in report.failures[0]["reason"]
    results = {Path(r["video"]).name: r for r in _read_csv(out / "videos.csv")}
    assert results["broken.mp4"]["status"] == "failed"
    reps_per_video = {name: int(r["rep_count"]) for name, r in results.items() if r["rep_count"]}
    assert reps_per_video == {"set1.json": 3, "set2.csv": 4}
    table = pq.read_table(out / "reps.parquet").to_pylist()
    stored = [layout.read_result(out, r["content_hash"]) for r in results.values() if r["status"] == "done"]
    assert len(table) == sum(len(s["reps"]) for s in stored)  # one row per rep
    assert len(_read_csv(out / "reps.csv")) == len(table)
    assert {r["person"] for r in table} == {"ann", "bob"}
    for row in table:
        flagged = set(filter(None, row["faults"].split(";")))
        assert flagged == {k[len("fault_"):] for k, v in row.items() if k.startswith("fault_") and v}

    shutil.copy(inputs / "misc" / "set2.csv", inputs / "misc" / "set2_copy.csv")
    again = run_batch(inputs, out, workers=2, progress=False)
    assert again.counts == {"done": 0, "skipped": 4, "failed": 0}
    rows = pq.read_table(out / "reps.parquet").to_pylist()
    copies = [r for r in rows if r["video"].endswith("set2_copy.csv")]
    assert len(copies) == sum(r["video"].endswith("set2.csv") for r in rows) > 0
    manifest = list(layout.read_manifest(out))
    assert len(manifest) == 7 and {m["run"] for m in manifest} == {report.run_id, again.run_id}


def test_cli_batch(inputs: Path, tmp_path: Path, capsys) -> None:
    (inputs / "misc" / "broken.mp4").unlink()
    assert main(["batch", str(inputs), "--out", str(tmp_path / "o"), "--workers", "1", "--no-progress"]) == 0
    assert "2 analysed" in capsys.readouterr().out
    assert main(["batch", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_interrupted_batch_resumes(tmp_path: Path) -> None:
    """Ctrl-C in the middle of a batch: what finished is kept and the next run does the rest."""
    import os
    import signal
    import subprocess
    import sys
    import time

    root = tmp_path / "in"
    root.mkdir()
    for i in range(12):
        save_keypoints(hinge_reps(2, ankle_x=400.0 + i), root / f"set{i:02d}.csv")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "hingecoach", "batch", str(root), "--out", str(out), "--workers", "1",
           "--no-progress"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None and not list(layout.read_manifest(out)):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=120)
    first = list(layout.read_manifest(out))
    assert 1 <= len(first) and proc.returncode in (0, 130)
    assert not list(out.glob("results/*/*.tmp-*"))  # nothing half-written left behind
    if proc.returncode == 130:
        assert len(first) < 12 and not (out / "reps.parquet").exists()
    stored = [p for p in out.glob("results/*/*.json") if json.loads(p.read_text())["batch"]["status"] == "done"]
    assert len(stored) >= len(first)  # jobs already running when Ctrl-C came finish and are kept
    report = run_batch(root, out, workers=1, progress=False)
    assert report.counts["skipped"] == len(stored) and report.counts["done"] == 12 - len(stored)
    assert os.path.exists(out / "reps.parquet")
