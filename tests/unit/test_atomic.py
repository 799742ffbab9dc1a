"""The one atomic-write helper: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

from pathlib import Path

import pytest

from hingecoach import atomic


def _crash(tmp: Path) -> None:
    tmp.write_text('{"half": ')
    raise RuntimeError("killed mid-write")


def test_a_failed_write_leaves_nothing_and_the_old_file_survives(tmp_path: Path) -> None:
    final = tmp_path / "x.json"
    with pytest.raises(RuntimeError):
        atomic.write_atomic(final, _crash)
    assert list(tmp_path.iterdir()) == []
    atomic.write_text(final, '{"a": 1}')
    with pytest.raises(RuntimeError):
        atomic.write_atomic(final, _crash)
    assert final.read_text() == '{"a": 1}'
    assert list(tmp_path.iterdir()) == [final]


def test_stream_appears_only_when_the_block_ends(tmp_path: Path) -> None:
    final = tmp_path / "t.csv"
    with atomic.open_atomic(final, "w", encoding="utf-8") as fh:
        fh.write("a,b\n")
        assert not final.exists()
    assert final.read_text() == "a,b\n"
    with pytest.raises(KeyError), atomic.open_atomic(final, "w") as fh:
        fh.write("half")
        raise KeyError("stop")
    assert final.read_text() == "a,b\n" and list(tmp_path.iterdir()) == [final]


def test_temporary_name_is_hidden_unique_and_keeps_the_suffix(tmp_path: Path) -> None:
    a, b = atomic.temporary_name(tmp_path / "r.mp4"), atomic.temporary_name(tmp_path / "r.mp4")
    assert a != b and a.parent == tmp_path and a.suffix == ".mp4"
    assert a.name.startswith(".r.tmp-")
    atomic.write_bytes(tmp_path / "b.bin", b"\x00\x01")
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
