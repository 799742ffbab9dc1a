"""Fixed-budget mutation fuzz of every keypoint reader: only HingeInputError may escape.

Starts from one valid file per format (written here), mutates bytes/lines/JSON values at
random, and feeds each mutant through ``hingecoach.sources.load`` (sniffing included).
Prints cases run, how many loaded, how many were rejected cleanly, and every other failure.

    .venv/bin/python -m bench.fuzz_readers --seconds 60
"""

from __future__ import annotations

import json
import random
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

import numpy as np

from bench import fuzz_common
from hingecoach.errors import HingeInputError
from hingecoach.pose import PoseSequence
from hingecoach.sources import load, save_keypoints

K = 33


def _seeds(folder: Path) -> list[Path]:
    """One small valid file per format."""
    rng = np.random.default_rng(1)
    seq = PoseSequence(xyz=rng.uniform(0, 500, (3, K, 3)), visibility=rng.uniform(0, 1, (3, K)),
                       t_s=np.array([0.0, 0.04, 0.09]), fps=25, image_size=(640, 480),
                       world_xyz=rng.normal(size=(3, K, 3)), channels={"c": np.array([1.0, np.nan, 2.0])})
    out = [save_keypoints(seq, folder / "own.json"), save_keypoints(seq, folder / "own.csv")]
    coco = [{"image_id": f, "keypoints": [float(v) for v in rng.uniform(0, 400, 51)], "score": 0.9}
            for f in range(3)]
    out.append(folder / "coco.json")
    out[-1].write_text(json.dumps(coco))
    op = {"version": 1.3, "people": [{"pose_keypoints_2d": [float(v) for v in rng.uniform(0, 1, 75)]}]}
    out.append(folder / "op_keypoints.json")
    out[-1].write_text(json.dumps(op))
    lms = [{"frame": f, "landmarks": [{"x": 0.5, "y": 0.4, "z": 0.0, "visibility": 0.9}] * K} for f in range(2)]
    out.append(folder / "mp.json")
    out[-1].write_text(json.dumps({"fps": 30, "frames": lms}))
    out.append(folder / "mp.csv")
    cols = ["frame"] + [f"{a}{i}" for i in range(K) for a in "xyzv"]
    out[-1].write_text(",".join(cols) + "\n" + "\n".join(",".join([str(f)] + ["0.5"] * (4 * K)) for f in range(2)))
    out.append(folder / "m.trc")
    markers = ["RHip", "LHip", "RKnee", "RAnkle", "RShoulder"]
    head = ["PathFileType\t4\t(X/Y/Z)\tm.trc", "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits",
            "60\t60\t2\t5\tm", "Frame#\tTime\t" + "\t\t\t".join(markers),
            "\t\t" + "\t".join(f"X{i}\tY{i}\tZ{i}" for i in range(1, 6)), ""]
    rows = ["\t".join([str(f + 1), str(f / 60)] + [f"{v:.4f}" for v in rng.uniform(0, 1.5, 15)]) for f in range(2)]
    out[-1].write_text("\n".join(head + rows) + "\n")
    return out


_TOKENS = [b"", b"null", b"NaN", b"-Infinity", b"1e999", b"9" * 30, b"[]", b"{}", b'"x"', b",",
           b"\t", b"\n", b"\xff", b"0", b"-1", b"true", b'"people"', b'"keypoints"', b"[[[[", b"#"]


def _mutate_bytes(data: bytes, rnd: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rnd.randint(1, 4)):
        op = rnd.randrange(4)
        pos = rnd.randrange(len(buf) + 1)
        if op == 0 and buf:
            del buf[pos:pos + rnd.randint(1, 20)]
        elif op == 1:
            buf[pos:pos] = rnd.choice(_TOKENS)
        elif op == 2 and buf:
            buf[min(pos, len(buf) - 1)] = rnd.randrange(256)
        else:
            end = pos + rnd.randint(0, 40)
            buf[pos:end] = rnd.choice(_TOKENS)
    return bytes(buf)


def _mutate_json(doc, rnd: random.Random):
    """Replace one random value deep in the document by an odd one."""
    odd = [None, -1, 0, 1e308, float("nan"), "x", [], {}, [1, 2], True, 10**30]
    if isinstance(doc, list) and doc and rnd.random() < 0.8:
        i = rnd.randrange(len(doc))
        doc[i] = _mutate_json(doc[i], rnd)
        return doc
    if isinstance(doc, dict) and doc and rnd.random() < 0.8:
        key = rnd.choice(list(doc))
        if rnd.random() < 0.1:
            del doc[key]
        else:
            doc[key] = _mutate_json(doc[key], rnd)
        return doc
    return rnd.choice(odd)


def _mutant(seed: Path, rnd: random.Random) -> bytes:
    data = seed.read_bytes()
    if seed.suffix == ".json" and rnd.random() < 0.5:
        return json.dumps(_mutate_json(json.loads(data), rnd)).encode()
    if rnd.random() < 0.3:  # shuffle, drop or repeat whole lines
        lines = data.split(b"\n")
        i = rnd.randrange(len(lines))
        lines.insert(rnd.randrange(len(lines) + 1), lines.pop(i) if rnd.random() < 0.5 else lines[i])
        return b"\n".join(lines)
    return _mutate_bytes(data, rnd)


def run(seconds: float, seed: int) -> int:
    rnd = random.Random(seed)
    counts: Counter[str] = Counter()
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        seeds = _seeds(folder)
        for s in seeds:  # the seeds themselves must load
            load(s)
        end = time.monotonic() + seconds
        n = 0
        while time.monotonic() < end:
            src = rnd.choice(seeds)
            path = folder / f"case{n % 7}{src.suffix}"
            path.write_bytes(_mutant(src, rnd))
            n += 1
            try:
                load(path)
                counts["loaded"] += 1
            except HingeInputError:
                counts["rejected cleanly"] += 1
            except Exception as exc:  # noqa: BLE001 - a fuzzer reports whatever escapes
                counts["FAILED"] += 1
                if len(failures) < 10:
                    failures.append(f"{src.name}: {type(exc).__name__}: {exc}\n"
                                    + "".join(traceback.format_exc().splitlines(True)[-4:]))
    return fuzz_common.report(f"fuzz_readers: {n} cases in {seconds:g} s over {len(seeds)} seed formats (seed {seed})", counts, ("loaded", "rejected cleanly", "FAILED"), failures)


def main() -> None:
    fuzz_common.main(run, __doc__.splitlines()[0])


if __name__ == "__main__":
    main()
