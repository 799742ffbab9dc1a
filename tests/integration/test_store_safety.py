"""Store safety: concurrent writers, a writer killed mid-session, backups, bad files, paths."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from hingecoach.errors import HingeInputError
from hingecoach.store import log_set, open_db
from hingecoach.store.backup import backup
from hingecoach.store.paths import default_db_url

RESULT = {"rep_count": 3, "view": "side", "fps": 30.0, "duration_s": 6.0, "source": "x", "score": 75.0,
          "reps": [{"index": i, "depth_hip_angle_deg": 100.0 + i, "pattern": "hinge", "score": 75.0, "partial": False,
                    "faults": [{"code": "torso_leads", "severity": "minor"}]} for i in range(3)]}


def _writer(url: str, person: str, n: int) -> list[int]:
    with open_db(url) as db:
        return [log_set(db, RESULT, person=person) for _ in range(n)]


def test_concurrent_writers_do_not_corrupt(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    open_db(url).close()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(3) as pool:
        ids = pool.starmap(_writer, [(url, f"p{i}", 25) for i in range(3)])
    with open_db(url) as db:
        assert db.integrity_check() == "ok"
        with db.read() as tx:
            stored = {r[0] for r in tx.rows("SELECT id FROM sets")}
            reps = tx.scalar("SELECT COUNT(*) FROM reps")
            faults = tx.scalar("SELECT COUNT(*) FROM faults")
    flat = [i for chunk in ids for i in chunk]
    assert len(set(flat)) == 75 and stored == set(flat)
    assert (reps, faults) == (225, 225)


_KILL_SCRIPT = """
import sys
from hingecoach.store import log_set, open_db
result = {result!r}
with open_db(sys.argv[1]) as db:
    while True:
        set_id = log_set(db, result)
        print(set_id, flush=True)
"""


def test_sigkill_mid_session_keeps_every_committed_set(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    proc = subprocess.Popen([sys.executable, "-c", _KILL_SCRIPT.format(result=RESULT), url],
                            stdout=subprocess.PIPE, text=True)
    committed = []
    try:
        while len(committed) < 30:
            line = proc.stdout.readline()
            assert line, "the writer stopped before it was killed"
            committed.append(int(line))
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        committed += [int(x) for x in proc.stdout.read().split()]  # printed before the kill landed
    assert proc.returncode == -signal.SIGKILL
    with open_db(url) as db:
        assert db.integrity_check() == "ok"
        with db.read() as tx:
            stored = {r[0] for r in tx.rows("SELECT id FROM sets")}
            orphans = tx.scalar("SELECT COUNT(*) FROM sets s WHERE NOT EXISTS "
                                "(SELECT 1 FROM reps r WHERE r.set_id = s.id)")
    assert set(committed) <= stored
    assert orphans == 0  # never half a set: every stored set has its reps


def test_backup_while_another_process_writes_is_consistent(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with open_db(url) as db:
        first = [log_set(db, RESULT) for _ in range(5)]
    stop = threading.Event()

    def keep_writing() -> None:
        with open_db(url) as other:
            while not stop.is_set():
                log_set(other, RESULT, person="busy")

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        with open_db(url) as db:
            out = backup(db, tmp_path / "copy.db")
    finally:
        stop.set()
        writer.join()
    copy = sqlite3.connect(out)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    ids = {r[0] for r in copy.execute("SELECT id FROM sets")}
    half = copy.execute("SELECT COUNT(*) FROM sets s WHERE NOT EXISTS "
                        "(SELECT 1 FROM reps r WHERE r.set_id = s.id)").fetchone()[0]
    copy.close()
    assert set(first) <= ids and half == 0
    with open_db(url) as db, pytest.raises(HingeInputError, match="exists"):
        backup(db, out)


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path):
    junk = tmp_path / "notes.db"
    junk.write_bytes(b"these are my notes, not a database" * 100)
    before = junk.read_bytes()
    with pytest.raises(HingeInputError, match="not a HingeCoach store"):
        open_db(f"sqlite:///{junk}")
    assert junk.read_bytes() == before


def test_store_is_created_in_user_data_dir_unless_env_overrides(tmp_path, monkeypatch):
    monkeypatch.delenv("HINGECOACH_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert default_db_url() == f"sqlite:///{tmp_path / 'xdg' / 'hingecoach' / 'hingecoach.db'}"
        open_db().close()
        assert (tmp_path / "xdg" / "hingecoach" / "hingecoach.db").exists()
    monkeypatch.setenv("HINGECOACH_DB", f"sqlite:///{tmp_path / 'elsewhere.db'}")
    with open_db() as db:
        log_set(db, RESULT)
    assert Path(tmp_path / "elsewhere.db").exists()


def test_wal_mode_and_busy_timeout_are_set(tmp_path):
    with open_db(f"sqlite:///{tmp_path / 's.db'}") as db:
        conn = db.connection
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_a_writer_waits_for_another_instead_of_failing(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    with open_db(url) as a, open_db(url) as b:
        started = time.monotonic()
        with a.write() as tx:
            tx.run("INSERT INTO people (name, created_at) VALUES ('held', 'x')")
            t = threading.Thread(target=lambda: log_set(b, RESULT, person="waiter"))
            t.start()
            time.sleep(0.3)
            assert t.is_alive()  # b is waiting on a's lock
        t.join(timeout=30)
        assert time.monotonic() - started >= 0.3
        with a.read() as tx:
            assert tx.scalar("SELECT COUNT(*) FROM people") == 2
