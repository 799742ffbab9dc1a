"""The store on every engine: SQLite always, PostgreSQL when Debian's server binaries exist
(the tests start a throw-away server in a temporary directory)."""

from __future__ import annotations

import glob
import itertools
import json
import os
import shutil
import socket
import subprocess
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from hingecoach.errors import HingeInputError
from hingecoach.store import (
    exchange,
    fault_trends,
    log_manual_set,
    log_set,
    open_db,
    usual_depth_hip_angle_deg,
)
from hingecoach.store.migrations import MIGRATIONS, applied, migrate
from hingecoach.store.schema import TABLES, column_names


def make_result(depths=(100.0, 102.0, 98.0), faults=None, pattern="hinge", partial_last=False, score=80.0):
    """An analysis result shaped like `hinge analyze` output; faults: {rep index: [(code, sev)]}."""
    faults = faults or {}
    reps = [{"index": i, "start_s": 2.0 * i, "bottom_s": 2.0 * i + 1, "end_s": 2.0 * i + 2,
             "depth_hip_angle_deg": d, "pattern": pattern, "score": 90.0 - 10 * len(faults.get(i, [])),
             "faults": [{"code": c, "severity": s} for c, s in faults.get(i, [])],
             "partial": partial_last and i == len(depths) - 1} for i, d in enumerate(depths)]
    return {"rep_count": len(reps), "view": "side", "fps": 30.0, "duration_s": 2.0 * len(reps),
            "source": "clip.mp4", "score": score, "reps": reps}


# ---------------------------------------------------------------- engines

def _pg_bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def pg_server():
    """(socket dir, port) of a PostgreSQL server started for this test run."""
    bindir = _pg_bindir()
    if bindir is None or not (bindir / "pg_ctl").exists():
        pytest.skip("PostgreSQL server binaries not installed (apt-get install -y postgresql)")
    pytest.importorskip("psycopg", reason="psycopg not installed")
    root = Path(tempfile.mkdtemp(prefix="hinge-pg-"))
    os.chmod(root, 0o755)
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        if shutil.which("runuser") is None:
            pytest.skip("running as root and runuser is missing: cannot start PostgreSQL")
        shutil.chown(root, "nobody")
        as_user = ["runuser", "-u", "nobody", "--"]
    port, data = _free_port(), root / "data"
    run = dict(check=True, capture_output=True, timeout=120)
    subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                    "--no-sync"], **run)
    subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "start",
                    "-o", f"-p {port} -k {root} -c listen_addresses='' -F"], **run)
    yield root, port
    subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                   capture_output=True, timeout=60)
    shutil.rmtree(root, ignore_errors=True)


_db_numbers = itertools.count()


def _pg_url(pg_server) -> str:
    import psycopg

    root, port = pg_server
    name = f"hinge_test_{os.getpid()}_{next(_db_numbers)}"
    with psycopg.connect(f"postgresql://postgres@/postgres?host={root}&port={port}", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"postgresql://postgres@/{name}?host={root}&port={port}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return _pg_url(request.getfixturevalue("pg_server"))


@pytest.fixture
def db(db_url):
    with open_db(db_url) as database:
        yield database


def counts(db) -> dict[str, int]:
    with db.read() as tx:
        return {t: tx.scalar(f"SELECT COUNT(*) FROM {t}") for t in TABLES}


# ---------------------------------------------------------------- schema and migrations

def test_migrations_recorded_once_and_schema_matches_table_list(db, db_url):
    assert applied(db) == [m.name for m in MIGRATIONS]
    with open_db(db_url) as again:
        assert migrate(again) == []
        assert applied(again) == [m.name for m in MIGRATIONS]
    with db.read() as tx:
        for table in TABLES:
            assert tx.columns(table) == column_names(table)


# ---------------------------------------------------------------- logging

def test_log_set_stores_set_reps_faults_and_summary(db):
    result = make_result(depths=(100.0, 110.0, 90.0, 95.0), partial_last=True,
                         faults={0: [("knees_too_bent", "major"), ("torso_leads", "minor")], 2: [("too_deep", "minor")]})
    set_id = log_set(db, result, person="ana", level="wall_tap", when=datetime(2024, 3, 1, 9, 30))
    with db.read() as tx:
        row = tx.one("SELECT level, day, rep_count, full_rep_count, clean_rep_rate, hinge_rate, depth_hip_angle_deg, "
                     "score FROM sets WHERE id = :i", {"i": set_id})
        n_reps = tx.scalar("SELECT COUNT(*) FROM reps WHERE set_id = :i", {"i": set_id})
        faults = tx.rows("SELECT code, severity FROM faults WHERE set_id = :i ORDER BY code", {"i": set_id})
    # 3 full reps (the 4th is partial); rep 0 has a major fault -> 2/3 clean; median of 100, 110, 90 = 100.
    assert row == ("wall_tap", "2024-03-01", 4, 3, pytest.approx(2 / 3), 1.0, 100.0, 80.0)
    assert n_reps == 4
    assert faults == [("knees_too_bent", "major"), ("too_deep", "minor"), ("torso_leads", "minor")]


def test_first_set_starts_level_history_and_later_sets_use_current_level(db):
    log_set(db, make_result(), person="bo", when=datetime(2024, 1, 1, 8))
    log_set(db, make_result(), person="bo", when=datetime(2024, 1, 2, 8))
    with db.read() as tx:
        levels = tx.rows("SELECT s.level FROM sets s ORDER BY s.id")
        history = tx.rows("SELECT level, kind FROM level_history")
        sessions = tx.scalar("SELECT COUNT(*) FROM sessions")
    assert levels == [("hero_squat",), ("hero_squat",)]
    assert history == [("hero_squat", "start")]
    assert sessions == 2


@pytest.mark.parametrize("bad", [
    "not a dict",
    {"rep_count": -1, "reps": []},
    {"rep_count": 1, "reps": [{"pattern": "lunge", "faults": []}]},
    {"rep_count": 1, "reps": [{"pattern": "hinge", "faults": [{"code": "x", "severity": "awful"}]}]},
    {"rep_count": 1, "reps": [{"pattern": "hinge", "depth_hip_angle_deg": "deep"}]},
])
def test_bad_result_is_refused_and_changes_nothing(db, bad):
    log_set(db, make_result())
    before = counts(db)
    with pytest.raises(HingeInputError):
        log_set(db, bad)
    assert counts(db) == before


def test_bad_level_changes_nothing(db):
    log_set(db, make_result())
    before = counts(db)
    with pytest.raises(HingeInputError):
        log_set(db, make_result(), level="backflip")
    with pytest.raises(HingeInputError):
        log_manual_set(db, "wall_tap", reps=10, clean_reps=11)
    assert counts(db) == before


# ---------------------------------------------------------------- baselines and trends

def test_usual_depth_is_median_of_recent_clean_hinge_reps(db):
    assert usual_depth_hip_angle_deg(db, "me") is None
    log_set(db, make_result(depths=(80.0, 82.0)), when=datetime(2024, 1, 1, 8))
    assert usual_depth_hip_angle_deg(db, "me") is None  # too few reps to call it usual
    log_set(db, make_result(depths=(60.0,) * 5, pattern="squat"), when=datetime(2024, 1, 2, 8))
    log_set(db, make_result(depths=(50.0,) * 3, faults={i: [("spine_rounded", "major")] for i in range(3)}),
            when=datetime(2024, 1, 3, 8))
    log_set(db, make_result(depths=(84.0, 86.0, 88.0)), when=datetime(2024, 1, 4, 8))
    # squats and faulty reps are ignored: clean hinge depths are 80, 82, 84, 86, 88
    assert usual_depth_hip_angle_deg(db, "me") == pytest.approx(84.0)
    assert usual_depth_hip_angle_deg(db, "me", recent_reps=3, min_reps=3) == pytest.approx(86.0)


def test_fault_trends_compare_two_weeks_ago_with_now(db):
    today = date(2024, 5, 20)
    then = datetime.combine(today - timedelta(days=15), datetime.min.time()).replace(hour=9)
    bent = {i: [("knees_too_bent", "major")] for i in range(4)}
    log_set(db, make_result(depths=(100.0,) * 10, faults=bent), when=then)
    log_set(db, make_result(depths=(100.0,) * 10, faults={0: [("knees_too_bent", "minor")]}),
            when=then + timedelta(days=15))
    (trend,) = fault_trends(db, "me", today)
    assert (trend.code, trend.then_frac, trend.now_frac) == ("knees_too_bent", 0.4, 0.1)


# ---------------------------------------------------------------- export / import

def _fill(db) -> None:
    log_set(db, make_result(faults={1: [("spine_rounded", "major")]}), person="ana", when=datetime(2024, 1, 1, 7))
    log_set(db, make_result(depths=(91.25, 1e-7, 123.456789012345)), person="ana", level="dowel",
            when=datetime(2024, 1, 9, 7, 1, 2, 345678), notes='commas, "quotes",\nnew line, ünïcode')
    log_manual_set(db, "wall_tap", reps=12, person="bo, jr", clean_reps=11, quality=4, wall_distance_cm=20.0,
                   notes="\\N looks like null", when=datetime(2024, 2, 1, 18))
    log_manual_set(db, None, reps=10, person="bo, jr", notes="", when=datetime(2024, 2, 2, 18))


@pytest.mark.parametrize("fmt", ["export.json", "export.zip", "export_dir"])
def test_export_import_round_trips_exactly(db, tmp_path, fmt):
    _fill(db)
    original = exchange.dump(db)
    exchange.export(db, tmp_path / fmt)
    with open_db(f"sqlite:///{tmp_path / 'restored.db'}") as restored:
        exchange.import_file(restored, tmp_path / fmt)
        assert exchange.dump(restored) == original
        # new rows after an import get fresh ids, not clashes
        assert log_set(restored, make_result(), person="ana") > max(r[0] for r in original["tables"]["sets"]["rows"])


def test_import_into_same_engine_with_replace(db, tmp_path):
    _fill(db)
    original = exchange.dump(db)
    exchange.export(db, tmp_path / "e.json")
    log_set(db, make_result(), person="carl")
    with pytest.raises(HingeInputError, match="--replace"):
        exchange.import_file(db, tmp_path / "e.json")
    assert counts(db)["sets"] == 5  # refused import changed nothing
    exchange.import_file(db, tmp_path / "e.json", replace=True)
    assert exchange.dump(db) == original
    assert log_set(db, make_result(), person="ana") > max(r[0] for r in original["tables"]["sets"]["rows"])


@pytest.mark.parametrize("damage", ["truncate", "wrong_column", "bad_cell", "wrong_format"])
def test_bad_import_leaves_store_untouched(db, tmp_path, damage):
    _fill(db)
    exchange.export(db, tmp_path / "e.json")
    text = (tmp_path / "e.json").read_text()
    data = json.loads(text)
    if damage == "truncate":
        text = text[: len(text) // 2]
    elif damage == "wrong_column":
        data["tables"]["reps"]["columns"][2] = "index"
        text = json.dumps(data)
    elif damage == "bad_cell":
        data["tables"]["sets"]["rows"][0][9] = "eighty"
        text = json.dumps(data)
    else:
        data["format"] = "something-else"
        text = json.dumps(data)
    (tmp_path / "bad.json").write_text(text)
    before = exchange.dump(db)
    with pytest.raises(HingeInputError):
        exchange.import_file(db, tmp_path / "bad.json", replace=True)
    assert exchange.dump(db) == before


def test_unknown_url_is_a_clear_error():
    with pytest.raises(HingeInputError, match="engine"):
        open_db("mysql://somewhere/db")


def test_a_pattern_the_camera_did_not_see_counts_neither_as_hinge_nor_for_depth(db):
    # from the front a hinge and a stoop look alike: such reps say "hinge" with pattern_seen
    # false, and must not pass the level's hinge-rate check or set the usual depth
    unseen = make_result(depths=(70.0,) * 6)
    for rep in unseen["reps"]:
        rep["pattern_seen"] = False
    set_id = log_set(db, unseen, when=datetime(2024, 1, 1, 8))
    log_set(db, make_result(depths=(90.0,) * 5), when=datetime(2024, 1, 2, 8))
    with db.read() as tx:
        rate = tx.scalar("SELECT hinge_rate FROM sets WHERE id = :i", {"i": set_id})
    assert rate is None
    assert usual_depth_hip_angle_deg(db, "me") == pytest.approx(90.0)


def test_an_export_from_before_the_exercise_and_speed_columns_restores_with_them_empty(tmp_path):
    with open_db(f"sqlite:///{tmp_path / 'a.db'}") as db:
        log_manual_set(db, "wall_tap", 12, clean_reps=10, notes="old")
        data = exchange.dump(db)
    old = json.loads(json.dumps(data))
    sets = old["tables"]["sets"]
    keep = [i for i, c in enumerate(sets["columns"]) if c not in exchange.ADDED_COLUMNS["sets"]]
    sets["columns"] = [sets["columns"][i] for i in keep]
    sets["rows"] = [[row[i] for i in keep] for row in sets["rows"]]
    old["migrations"] = ["0001_initial"]
    with open_db(f"sqlite:///{tmp_path / 'b.db'}") as db:
        assert exchange.restore(db, old)["sets"] == 1
        again = exchange.dump(db)
    assert again["tables"]["sets"]["rows"] == data["tables"]["sets"]["rows"]
