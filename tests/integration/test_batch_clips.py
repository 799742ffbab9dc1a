"""A small batch on real clips: the stored result is exactly what `hinge analyze` gives."""

from __future__ import annotations

from pathlib import Path

from hingecoach.batch import layout
from hingecoach.batch.runner import run_batch
from hingecoach.cli.analyze import analyze_path
from hingecoach.sources import load

CLIPS = ("jeffchen/good.mp4", "jeffchen/rdl.mp4")  # the two shortest side-view hinge clips


def test_batch_on_real_clips_matches_analyze(clips_dir: Path, tmp_path: Path) -> None:
    listing = tmp_path / "clips.txt"
    listing.write_text("".join(f"{clips_dir / name}\tjeff\n" for name in CLIPS))
    out = tmp_path / "out"
    report = run_batch(listing, out, workers=2, progress=False)
    assert report.counts["done"] + report.counts["failed"] == len(CLIPS)
    for entry in layout.read_manifest(out):
        stored = layout.read_result(out, entry["content_hash"])
        if entry["status"] == "failed":
            assert stored["batch"]["reason"]
            continue
        expected = analyze_path(Path(entry["path"]), progress=False).to_dict()
        batch_only = {"batch", "keypoints_file"}
        assert {k: v for k, v in stored.items() if k not in batch_only} == expected
        keypoints = load(out / stored["keypoints_file"])
        assert keypoints.n_frames == stored["frames"]
        assert stored["batch"]["person"] == "jeff"
    assert report.tables["rep_rows"] == sum(
        len((layout.read_result(out, e["content_hash"]) or {}).get("reps", [])) for e in layout.read_manifest(out))
