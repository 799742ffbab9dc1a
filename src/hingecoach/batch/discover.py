"""What a batch analyses: every video and keypoint file under a folder, or the files a list
names.

Inputs
------
* A folder is searched recursively. Files whose suffix a pose loader knows are taken, except
  still images (one frame has no repetitions); hidden files and folders, our own temporary
  files and the batch's output folder are skipped. A folder of OpenPose per-frame JSON files
  is one input.
* A list file (``.txt``, ``.lst`` or ``.list``) names one input per line; relative paths are
  relative to the list's folder; blank lines and lines starting with ``#`` are ignored. A line
  may give the person after a tab: ``videos/ann_01.mp4<TAB>ann``.

Who is filmed (the ``person`` column), first match wins
-------------------------------------------------------
1. the list file's second column;
2. a sidecar text file next to the input named ``<file name>.person`` holding the name
   (``ann_01.mp4.person`` containing ``ann``);
3. the nearest folder on the input's path named ``person=<name>``
   (``clinic/person=ann/2024-05-01/set1.mp4``), the Hive-style partition naming that
   Parquet tools also read;
4. otherwise unknown (empty).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hingecoach.errors import HingeInputError

LIST_SUFFIXES = (".txt", ".lst", ".list")
PERSON_SIDECAR_SUFFIX = ".person"
PERSON_FOLDER_PREFIX = "person="
#: Loaders whose inputs are not worth a batch row (a still image has no repetitions).
SKIPPED_LOADERS = ("image",)


@dataclass(frozen=True)
class InputFile:
    """One input of a batch: its path and, when known, whose movement it holds."""

    path: str
    person: str | None = None


def batch_suffixes() -> frozenset[str]:
    """File suffixes a batch picks up: those of every pose loader except still images."""
    from hingecoach.sources.loading import registered

    return frozenset(s for e in registered() if e.name not in SKIPPED_LOADERS for s in e.suffixes)


def _is_temporary(name: str) -> bool:
    """Hidden files and temporary files (ours, from :mod:`hingecoach.atomic`, are
    ``.<stem>.tmp-<random><ext>``; ``*.tmp`` ones come from older versions)."""
    return name.startswith(".") or ".tmp-" in name or name.endswith(".tmp")


def _walk(folder: Path, suffixes: frozenset[str], exclude: Path | None):
    """Depth-first, sorted (so a batch's order is reproducible) walk yielding input paths."""
    from hingecoach.sources.formats.openpose import is_openpose_folder

    for entry in sorted(folder.iterdir()):
        if _is_temporary(entry.name) or (exclude is not None and entry.resolve() == exclude):
            continue
        if entry.is_dir():
            if is_openpose_folder(entry):
                yield entry
            else:
                yield from _walk(entry, suffixes, exclude)
        elif entry.suffix.lower() in suffixes and not entry.name.endswith(PERSON_SIDECAR_SUFFIX):
            yield entry


def person_for(path: Path) -> str | None:
    """The person filmed in ``path`` from a sidecar or a ``person=`` folder (module docstring)."""
    sidecar = path.with_name(path.name + PERSON_SIDECAR_SUFFIX)
    if sidecar.is_file():
        name = sidecar.read_text(encoding="utf-8", errors="replace").strip()
        if name:
            return name
    for parent in path.parents:
        if parent.name.startswith(PERSON_FOLDER_PREFIX) and len(parent.name) > len(PERSON_FOLDER_PREFIX):
            return parent.name[len(PERSON_FOLDER_PREFIX):]
    return None


def from_folder(folder: Path, exclude: Path | None = None) -> list[InputFile]:
    """Every analysable file under ``folder`` (recursive), ``exclude`` (the output) left out."""
    excluded = exclude.resolve() if exclude is not None else None
    return [InputFile(str(p), person_for(p)) for p in _walk(folder, batch_suffixes(), excluded)]


def _list_line(line: str, base: Path) -> InputFile | None:
    text = line.rstrip("\r\n")
    if not text.strip() or text.lstrip().startswith("#"):
        return None
    path_text, _, person = text.partition("\t")
    path = Path(path_text.strip()).expanduser()
    if not path.is_absolute():
        path = base / path
    return InputFile(str(path), person.strip() or person_for(path))


def from_list(list_file: Path) -> list[InputFile]:
    """The inputs a list file names (module docstring), in its order."""
    with list_file.open(encoding="utf-8", errors="replace") as fh:
        entries = [_list_line(line, list_file.parent) for line in fh]
    return [e for e in entries if e is not None]


def discover(source: Path, exclude: Path | None = None) -> list[InputFile]:
    """The batch's inputs from a folder or a list file; an error a person can fix otherwise."""
    source = Path(source)
    if source.is_dir():
        found = from_folder(source, exclude)
    elif source.is_file() and source.suffix.lower() in LIST_SUFFIXES:
        found = from_list(source)
    elif source.exists():
        raise HingeInputError(f"{source.name} is neither a folder nor a list file ({', '.join(LIST_SUFFIXES)}).",
                              "Give a folder of videos, or a .txt file with one path per line. "
                              "For one file use `hinge analyze`.")
    else:
        raise HingeInputError(f"{source}: no such folder or list file.", "Check the path and try again.")
    if not found:
        raise HingeInputError(f"{source}: no videos or keypoint files found.",
                              f"Put videos or keypoint files ({', '.join(sorted(batch_suffixes()))}) in it.")
    return found
