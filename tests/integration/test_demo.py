"""`hinge demo`, the README's main job, runs and writes its report."""

import pytest

from hingecoach.cli import main
from tests.fixtures.clips import CLIPS


@pytest.mark.skipif(not CLIPS.exists(), reason="the real clips are not here: ../shared/clips is absent")
def test_demo_analyses_the_real_clip_and_writes_a_report(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Analysing a real clip" in out
    assert "reps: 10" in out  # tby66/0016c_1 is labelled 10 reps
    report = (tmp_path / "report.html").read_text()
    assert "Rep by rep" in report and "<img" in report
