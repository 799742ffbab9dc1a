"""A real two-node Ray cluster on this machine, a node lost mid-batch, and a poison input.

The head and a second node are separate `ray start` processes, each with its own resources and
temp dir, talking over loopback only. `hinge batch --engine ray` runs over small keypoint files
(each slowed by a test hook so the batch is still running when the second node is SIGKILLed with
every process it started). The batch must still answer every input exactly once: no result lost,
none duplicated, none half-written; a poison input (its worker process exits mid-analysis, on
every try) fails alone and is recorded; a re-run does nothing.

Ray turns the address 127.0.0.1 into the machine's outward IP, which a loopback-only machine
cannot reach: so the head runs with RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0 (node IP 127.0.0.1),
and the second node and the driver join through a host name that resolves to 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from hingecoach.batch import layout
from hingecoach.sources import save_keypoints
from tests.fixtures.figures import hinge_reps

pytest.importorskip("ray", reason="ray is not installed (optional extra: pip install 'hingecoach[ray]')")
psutil = pytest.importorskip("psutil")

pytestmark = pytest.mark.slow
RAY = Path(sys.executable).with_name("ray")
N_INPUTS = 40


def _loopback_name() -> str | None:
    """A host name for 127.0.0.1 that is not spelled 'localhost' or '127.0.0.1' (Ray rewrites those)."""
    names = [socket.gethostname()]
    try:
        for line in Path("/etc/hosts").read_text().splitlines():
            fields = line.split("#")[0].split()
            if fields and fields[0] == "127.0.0.1":
                names += fields[1:]
    except OSError:
        pass
    for name in names:
        if name not in ("localhost", "127.0.0.1"):
            try:
                if socket.gethostbyname(name) == "127.0.0.1":
                    return name
            except OSError:
                continue
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    """One `ray start --block` process in its own session, and everything it starts."""

    def __init__(self, args: list[str], env: dict[str, str], temp_dir: Path) -> None:
        self.log = temp_dir / "start.log"
        self.proc = subprocess.Popen([str(RAY), "start", "--block", f"--temp-dir={temp_dir}",
                                      "--object-store-memory=80000000", *args],
                                     env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def wait_started(self, timeout_s: float = 90.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if "Ray runtime started" in self.log.read_text(errors="replace"):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError("ray start failed:\n" + self.log.read_text(errors="replace")[-3000:])

    def processes(self) -> list:
        try:
            root = psutil.Process(self.proc.pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def running_a_task(self) -> bool:
        for p in self.processes():
            try:
                if "_ray_task" in " ".join(p.cmdline() or [p.name()]):
                    return True
            except psutil.Error:  # ended meanwhile
                continue
        return False

    def kill(self) -> int:
        """SIGKILL the node: the `ray start` process, its raylet, agents and workers at once."""
        procs = self.processes()
        for p in procs:
            try:
                p.send_signal(signal.SIGKILL)
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(procs, timeout=10)
        self.proc.wait(timeout=10)
        return len(procs)


@pytest.fixture
def cluster():
    host = _loopback_name()
    if host is None:
        pytest.skip("no host name resolves to 127.0.0.1 (needed to join Ray nodes over loopback)")
    root = Path(tempfile.mkdtemp(prefix="hcray", dir="/tmp"))  # short: Ray's socket paths have a length limit
    env = {**os.environ, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32),
           "RAY_USAGE_STATS_ENABLED": "0",
           # the head notices a lost node within ~2 s instead of ~30 s
           "RAY_health_check_period_ms": "500", "RAY_health_check_timeout_ms": "500",
           "RAY_health_check_failure_threshold": "4", "RAY_health_check_initial_delay_ms": "0"}
    port = _free_port()
    (root / "head").mkdir()
    (root / "node2").mkdir()
    nodes = []
    try:
        head = Node(["--head", f"--port={port}", "--num-cpus=1", '--resources={"head": 1}',
                     "--include-dashboard=false", f"--dashboard-port={_free_port()}",
                     f"--ray-client-server-port={_free_port()}"],
                    {**env, "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}, root / "head")
        nodes.append(head)
        head.wait_started()
        node2 = Node([f"--address={host}:{port}", "--num-cpus=1", '--resources={"node2": 1}',
                      "--node-name=node2"], env, root / "node2")
        nodes.append(node2)
        node2.wait_started()
        yield {"address": f"{host}:{port}", "env": env, "head": head, "node2": node2, "root": root}
    finally:
        for node in reversed(nodes):
            node.kill()
        shutil.rmtree(root, ignore_errors=True)


def _batch(source: Path, out: Path, cluster: dict, hook: str) -> subprocess.Popen:
    env = {**cluster["env"], "HINGECOACH_BATCH_TEST_HOOK": hook}
    return subprocess.Popen([sys.executable, "-m", "hingecoach", "batch", str(source), "--out", str(out),
                             "--engine", "ray", "--ray-address", cluster["address"], "--no-progress"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _runs(out: Path) -> dict[str, list[dict]]:
    runs: dict[str, list[dict]] = {}
    for entry in layout.read_manifest(out):
        runs.setdefault(entry["run"], []).append(entry)
    return runs


def test_a_node_lost_mid_batch_and_a_poison_input(cluster, tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    for i in range(N_INPUTS):
        save_keypoints(hinge_reps(2, ankle_x=400.0 + i), source / f"set{i:02d}.json")
    save_keypoints(hinge_reps(2, ankle_x=300.0), source / "poison.json")
    out = tmp_path / "out"
    started = time.monotonic()
    proc = _batch(source, out, cluster, hook="crash:poison,sleep:0.3")

    # kill the second node once both nodes have answered a few inputs and it is running one
    killed = None
    deadline = time.monotonic() + 120
    while killed is None and time.monotonic() < deadline and proc.poll() is None:
        entries = list(layout.read_manifest(out))
        if len({e.get("node") for e in entries}) >= 2 and len(entries) >= 6 and cluster["node2"].running_a_task():
            answered_before = len(entries)
            killed = cluster["node2"].kill()
        time.sleep(0.05)
    stdout, stderr = proc.communicate(timeout=180)
    seconds = time.monotonic() - started
    assert killed, f"the second node was never seen busy: {stdout}\n{stderr[-3000:]}"
    assert proc.returncode == 0, stderr[-3000:]
    assert answered_before < N_INPUTS  # the node was lost mid-batch

    (first_run,) = _runs(out).values()
    by_path = {}
    for entry in first_run:
        assert entry["path"] not in by_path, f"answered twice: {entry['path']}"
        by_path[entry["path"]] = entry
    assert set(by_path) == {str(p) for p in source.iterdir()}  # every input answered, once
    poison = by_path.pop(str(source / "poison.json"))
    assert poison["status"] == "failed" and poison["failure"] == "crash", poison
    assert "worker process died" in poison["reason"]
    assert {e["status"] for e in by_path.values()} <= {"done", "skipped"}  # skipped: done before its node died
    nodes = {e["node"] for e in first_run if e.get("node")}
    assert len(nodes) == 2

    results = list(out.glob("results/*/*.json"))
    leftovers = [p for p in results if ".tmp-" in p.name]
    records = [json.loads(p.read_text()) for p in results if ".tmp-" not in p.name]  # none half-written
    assert len(records) == N_INPUTS + 1
    assert sorted(r["batch"]["status"] for r in records) == ["done"] * N_INPUTS + ["failed"]
    assert {r["batch"]["content_hash"] for r in records} == {e["content_hash"] for e in first_run}
    rows = (out / "videos.csv").read_text().splitlines()
    assert len(rows) == 1 + N_INPUTS + 1
    print(f"\n2 nodes, {N_INPUTS + 1} inputs: node2 SIGKILLed ({killed} processes) after {answered_before} "
          f"answers; batch done in {seconds:.1f} s; leftover temporary files: {len(leftovers)}")

    again = _batch(source, out, cluster, hook="crash:poison")
    stdout, stderr = again.communicate(timeout=120)
    assert again.returncode == 0, stderr[-3000:]
    second = [run for run in _runs(out).values() if run is not first_run and run[0]["run"] != first_run[0]["run"]]
    assert len(second) == 1 and len(second[0]) == N_INPUTS + 1
    assert {e["status"] for e in second[0]} == {"skipped"}  # nothing analysed again, the poison not retried
