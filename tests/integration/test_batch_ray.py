"""The Ray engine on a local Ray instance (ray is an optional extra: skipped without it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hingecoach.batch.runner import run_batch
from hingecoach.sources import save_keypoints
from tests.fixtures.figures import hinge_reps

ray = pytest.importorskip("ray", reason="ray is not installed (optional extra: pip install 'hingecoach[ray]')")


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def test_ray_engine_matches_local(local_ray, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    root = tmp_path / "in"
    root.mkdir()
    for n in (2, 3, 4):
        save_keypoints(hinge_reps(n), root / f"set{n}.json")
    (root / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 300)
    by_ray = run_batch(root, tmp_path / "ray", engine="ray", progress=False)
    assert by_ray.counts == {"done": 3, "skipped": 0, "failed": 1}, by_ray.failures
    by_pool = run_batch(root, tmp_path / "local", engine="local", workers=1, progress=False)

    def rows(out: Path) -> list[tuple]:
        table = pq.read_table(out / "reps.parquet").to_pylist()
        return sorted((Path(r["video"]).name, r["rep_index"], r["score"], r["faults"]) for r in table)

    assert rows(tmp_path / "ray") == rows(tmp_path / "local")
    assert {name for name, *_ in rows(tmp_path / "ray")} == {"set2.json", "set3.json", "set4.json"}
    resumed = run_batch(root, tmp_path / "ray", engine="ray", progress=False)
    assert resumed.counts == {"done": 0, "skipped": 4, "failed": 0}
    assert by_pool.counts == by_ray.counts
