"""The program's commands through the real CLI entry point, on a temporary store."""

from __future__ import annotations

import json
import sqlite3

import pytest

from hingecoach.cli import build_parser, main
from hingecoach.store import log_set, open_db

COMMANDS = ("today", "log", "history", "level", "export", "import", "backup")


@pytest.fixture
def store(tmp_path, monkeypatch):
    path = tmp_path / "store.db"
    monkeypatch.setenv("HINGECOACH_DB", f"sqlite:///{path}")
    monkeypatch.chdir(tmp_path)
    return path


def _rows(path, sql):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args([command, "--help"])
    assert exit_.value.code == 0
    assert "usage: hinge " + command in capsys.readouterr().out


def test_log_then_today_then_level(store, capsys):
    assert main(["log", "--reps", "12", "--clean-reps", "11", "--level", "wall_tap", "--wall-cm", "15"]) == 0
    assert "Logged set 1: 12 reps at Wall-tap" in capsys.readouterr().out
    assert main(["today"]) == 0
    out = capsys.readouterr().out
    assert "level 2, Wall-tap hip hinge" in out and "(1 done)" in out and "15 cm from the wall" in out
    assert main(["level"]) == 0
    assert "[ ] sessions: 1 days" in capsys.readouterr().out
    assert main(["level", "--advance"]) == 2  # not mastered
    assert "not mastered" in capsys.readouterr().err
    assert main(["level", "--advance", "--force"]) == 0
    assert _rows(store, "SELECT level, kind FROM level_history ORDER BY id") == [("wall_tap", "start"),
                                                                                  ("dowel", "advance")]


def test_bad_input_exits_2_and_stores_nothing(store, capsys):
    main(["log", "--reps", "10"])
    before = _rows(store, "SELECT COUNT(*) FROM sets")
    assert main(["log", "--reps", "10", "--level", "99"]) == 2
    assert main(["log", "--reps", "0"]) == 2
    assert main(["log", "--reps", "10", "--clean-reps", "12"]) == 2
    err = capsys.readouterr().err
    assert err.count("error:") == 3 and "Traceback" not in err
    assert _rows(store, "SELECT COUNT(*) FROM sets") == before


def test_history_prints_table_trends_and_writes_chart(store, capsys, tmp_path):
    result = {"rep_count": 4, "score": 70.0, "reps": [
        {"index": i, "depth_hip_angle_deg": 95.0, "pattern": "hinge", "partial": False,
         "faults": [{"code": "knees_too_bent", "severity": "major"}] if i == 0 else []} for i in range(4)]}
    with open_db() as db:
        log_set(db, result)
    assert main(["history", "--chart", str(tmp_path / "p.png")]) == 0
    out = capsys.readouterr().out
    assert "week of" in out and "75" in out and "knees too bent" in out
    assert (tmp_path / "p.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_export_import_and_backup_round_trip(store, tmp_path, monkeypatch, capsys):
    main(["log", "--reps", "12", "--clean-reps", "10", "--notes", "felt, good"])
    assert main(["export", str(tmp_path / "e.json")]) == 0
    assert main(["backup", str(tmp_path / "b.db")]) == 0
    assert main(["import", str(tmp_path / "e.json")]) == 2  # store not empty
    monkeypatch.setenv("HINGECOACH_DB", f"sqlite:///{tmp_path / 'fresh.db'}")
    assert main(["import", str(tmp_path / "e.json")]) == 0
    assert main(["export", str(tmp_path / "again.json")]) == 0
    first = json.loads((tmp_path / "e.json").read_text())
    again = json.loads((tmp_path / "again.json").read_text())
    sets = first["tables"]["sets"]
    assert first == again and sets["rows"][0][sets["columns"].index("notes")] == "felt, good"
    assert _rows(tmp_path / "b.db", "SELECT notes FROM sets") == [("felt, good",)]


def test_import_of_garbage_exits_2_and_keeps_store(store, tmp_path, capsys):
    main(["log", "--reps", "12"])
    (tmp_path / "junk.json").write_text("{not json")
    assert main(["import", str(tmp_path / "junk.json"), "--replace"]) == 2
    assert "not a HingeCoach export" in capsys.readouterr().err
    assert _rows(store, "SELECT COUNT(*) FROM sets") == [(1,)]
