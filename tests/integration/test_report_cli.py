"""`hinge analyze --video-out --report --log`: the glue in hingecoach.cli.outputs."""

from __future__ import annotations

import cv2

from hingecoach.cli import main
from hingecoach.sources import save_keypoints
from tests.fixtures.figures import hinge_reps


def _keypoints(tmp_path):
    path = tmp_path / "set.json"
    save_keypoints(hinge_reps(n_reps=3), path)
    return path


def test_analyze_writes_video_and_report(tmp_path, capsys):
    kp = _keypoints(tmp_path)
    video, report = tmp_path / "out.mp4", tmp_path / "out.html"
    code = main(["analyze", str(kp), "--no-progress", "--video-out", str(video), "--report", str(report)])
    assert code == 0
    err = capsys.readouterr().err
    assert "blank background" in err and "report written" in err
    cap = cv2.VideoCapture(str(video))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == hinge_reps(n_reps=3).n_frames
    cap.release()
    html = report.read_text()
    assert 'id="rep-table"' in html and "stick-figure" in html  # the pose's own source name


def test_output_errors_are_one_line(tmp_path, capsys):
    kp = _keypoints(tmp_path)
    assert main(["analyze", str(kp), "--no-progress", "--video-out", str(tmp_path)]) == 2
    assert main(["analyze", str(kp), "--no-progress", "--report", str(tmp_path / "no" / "r.html")]) == 2
    assert main(["analyze", str(kp), "--no-progress", "--report", str(kp)]) == 2  # never overwrite the input
    err = capsys.readouterr().err
    assert err.count("error:") == 3 and "Traceback" not in err
    assert kp.read_text().startswith("{")


def test_log_stores_the_set(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HINGECOACH_DB", f"sqlite:///{tmp_path / 'log.db'}")
    kp = _keypoints(tmp_path)
    assert main(["analyze", str(kp), "--no-progress", "--log", "--person", "ana"]) == 0
    assert "set logged" in capsys.readouterr().err
    from hingecoach.store import open_db

    db = open_db()
    try:
        with db.read() as tx:
            assert tx.scalar("SELECT COUNT(*) FROM sets") == 1
    finally:
        db.close()
