"""`hinge live`: input errors exit 2 with one line; what it prints as a set goes on."""

from __future__ import annotations

from hingecoach.cli import main
from hingecoach.cli.live import report
from hingecoach.live import LiveUpdate


def test_missing_video_is_a_clear_error(tmp_path, capsys):
    assert main(["live", "--video", str(tmp_path / "nope.mp4")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_text_file_is_not_a_video(tmp_path, capsys):
    fake = tmp_path / "clip.mp4"
    fake.write_text("not a video")
    assert main(["live", "--video", str(fake)]) == 2
    assert "cannot be read as a video" in capsys.readouterr().err


def test_report_prints_ready_count_score_and_cue(capsys):
    shown = ("setup", 0)
    shown = report(LiveUpdate(t_s=1.0, rep_count=0, phase="standing", view="side", ready=True), shown)
    shown = report(LiveUpdate(t_s=3.0, rep_count=1, phase="standing", ready=True), shown)
    report(LiveUpdate(t_s=3.5, rep_count=1, phase="standing", ready=True, cue="Hips back, not down",
                      new_reps=[{"index": 1, "score": 70.0, "pattern": "squat",
                                 "faults": [{"code": "knees_too_bent", "severity": "major"}]}]),
           shown)
    out = capsys.readouterr().out.splitlines()
    assert "counting starts" in out[0]
    assert out[1].endswith("reps: 1")
    assert "rep 1 scored 70 (squat; knees_too_bent)" in out[2]
    assert out[3].endswith("cue: Hips back, not down")
    assert len(out) == 4
