"""Report package without a browser: plots, overlay, annotated video, HTML content."""

from __future__ import annotations

import re
from pathlib import Path

import cv2
import numpy as np
import pytest
from matplotlib.figure import Figure

from hingecoach.analysis import analyze
from hingecoach.config import section
from hingecoach.report import plots, write_annotated_video, write_report
from hingecoach.report.html import report_html
from hingecoach.report.key_frames import key_reps
from hingecoach.report.overlay import SKELETON_BGR, blank_canvas, draw_overlay
from hingecoach.report.overlay_plan import plan_overlay
from tests.fixtures.figures import hinge_reps
from tests.fixtures.report import colour_near, mixed_set, write_source_video


@pytest.fixture(scope="module")
def mixed():
    return mixed_set()


# -- plots ------------------------------------------------------------------------------------
def test_plot_functions_draw_on_the_given_axes(mixed):
    fig = Figure()
    ax = fig.add_subplot()
    assert plots.plot_series(mixed.kinematics, "hip_angle_deg", mixed.reps, mixed.assessments, ax=ax) is ax
    curves = [line for line in ax.lines if len(line.get_xdata()) == mixed.kinematics.n_frames]
    dots = [line for line in ax.lines if line.get_marker() == "o"]
    assert len(curves) == 1 and len(dots) == 1
    np.testing.assert_allclose(dots[0].get_xdata(), [r.bottom_s for r in mixed.reps])
    np.testing.assert_allclose(curves[0].get_ydata(), mixed.kinematics["hip_angle_deg"])
    ax2 = Figure().add_subplot()
    assert plots.plot_hip_path(mixed.kinematics, mixed.reps, mixed.assessments, ax=ax2) is ax2
    ax3 = Figure().add_subplot()
    assert plots.plot_rep_scores(mixed.reps, mixed.assessments, ax=ax3) is ax3
    assert [p.get_height() for p in ax3.patches] == [a.score for a in mixed.assessments]


def test_hip_path_separates_hinge_from_squat(mixed):
    """Hinge reps end their descent further back than down; squat reps further down."""
    ax = plots.plot_hip_path(mixed.kinematics, mixed.reps, mixed.assessments)
    paths = [line for line in ax.lines if len(line.get_xdata()) > 2]
    assert len(paths) == len(mixed.reps)
    for line, a, rep in zip(paths, mixed.assessments, mixed.reps, strict=True):
        x, y = line.get_data()
        b = rep.bottom_frame - rep.start_frame
        if a.pattern == "hinge":
            assert x[b] > y[b]
        else:
            assert y[b] > x[b]


def test_threshold_bands_follow_the_thresholds_file():
    """Knee flexion limits become knee-angle bands below 180 - limit."""
    sig = next(s for s in section("faults")["knees_too_bent"]["signals"]
               if s["measure"] == "knee_flexion_bottom_deg")
    bands = [b for b in plots.threshold_bands("knee_angle_deg") if b.label == "knees too bent"]
    minor = next(b for b in bands if b.severity == "minor")
    major = next(b for b in bands if b.severity == "major")
    assert (minor.lo, minor.hi) == (180 - sig["major"], 180 - sig["minor"])
    assert major.hi == 180 - sig["major"] and major.lo < -100


def test_angle_curves_png_is_a_real_image(mixed):
    axes = plots.plot_angle_curves(mixed.kinematics, mixed.reps, mixed.assessments)
    png = plots.figure_png(axes[0].figure)
    img = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    assert img is not None and img.shape[1] >= 800
    assert img.std() > 10  # not a blank page


# -- overlay ----------------------------------------------------------------------------------
def test_overlay_draws_the_skeleton_where_the_joints_are(mixed):
    plan = plan_overlay(mixed)
    i = mixed.reps[0].bottom_frame
    img = draw_overlay(blank_canvas(plan.size), plan, i)
    hip, knee = plan.points["hip"][i], plan.points["knee"][i]
    mid = ((hip + knee) / 2).round().astype(int)
    patch = img[mid[1] - 2:mid[1] + 3, mid[0] - 2:mid[0] + 3]
    assert colour_near(patch, SKELETON_BGR, 10).any()
    # and nowhere near the far corner, away from the body and the panels
    assert not colour_near(img[plan.size[1] // 3:plan.size[1] // 2, -60:], SKELETON_BGR, 10).any()


def test_overlay_names_a_pattern_only_where_the_camera_saw_it():
    # from the front a hinge is not seen: the annotated video must not call it a hinge
    from hingecoach.report.overlay import PATTERN_BGR
    from hingecoach.sim import simulate

    front = analyze(simulate("hinge", reps=2, view="front", seed=3, noise="low").pose.replace(view="unknown"))
    plan = plan_overlay(front)
    assert front.reps and plan.patterns == [None] * len(front.reps)
    img = draw_overlay(blank_canvas(plan.size), plan, front.reps[0].bottom_frame)
    assert not colour_near(img[:120, :400], PATTERN_BGR["hinge"], 10).any()
    side = analyze(simulate("hinge", reps=2, view="side", seed=3, noise="low").pose)
    plan = plan_overlay(side)
    assert plan.patterns == ["hinge"] * len(side.reps)
    img = draw_overlay(blank_canvas(plan.size), plan, side.reps[0].bottom_frame)
    assert colour_near(img[:120, :400], PATTERN_BGR["hinge"], 10).any()


def test_overlay_flags_faults_only_around_their_frames(mixed):
    plan = plan_overlay(mixed)
    squat = next(i for i, a in enumerate(mixed.assessments) if a.pattern == "squat" and a.faults)
    hinge = next(i for i, a in enumerate(mixed.assessments) if not a.faults)
    f = mixed.assessments[squat].faults[0]
    assert any(fl.code == f.code for fl in plan.flags[f.frames[0]])
    r = mixed.reps[hinge]
    assert not any(plan.flags[r.bottom_frame])
    assert plan.rep_of_frame[r.bottom_frame] == hinge
    assert plan.done_by_frame[-1] == mixed.rep_count


# -- annotated video ----------------------------------------------------------------------------
def _decode(path: Path) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, f = cap.read()
        if not ok:
            break
        frames.append(f)
    cap.release()
    return frames


def test_annotated_video_on_a_source_video(tmp_path, mixed):
    src = write_source_video(tmp_path / "src.mp4", mixed.pose.image_size, mixed.pose.n_frames, mixed.pose.fps)
    out = write_annotated_video(mixed, src, tmp_path / "out.mp4", progress=False)
    frames, source = _decode(out), _decode(src)
    assert len(frames) == mixed.pose.n_frames
    assert frames[0].shape[1::-1] == mixed.pose.image_size
    cap = cv2.VideoCapture(str(out))
    assert cap.get(cv2.CAP_PROP_FPS) == pytest.approx(mixed.pose.fps, rel=1e-3)
    assert int(cap.get(cv2.CAP_PROP_FOURCC)).to_bytes(4, "little") in (b"avc1", b"h264")
    cap.release()
    plan = plan_overlay(mixed)
    for i in (mixed.reps[0].start_frame, mixed.reps[2].bottom_frame, mixed.pose.n_frames - 1):
        hip, knee = plan.points["hip"][i], plan.points["knee"][i]
        x, y = ((hip + knee) / 2).round().astype(int)
        drawn = frames[i][y - 2:y + 3, x - 2:x + 3]
        assert colour_near(drawn, SKELETON_BGR).any(), f"no skeleton colour on frame {i}"
        assert not colour_near(source[i][y - 2:y + 3, x - 2:x + 3], SKELETON_BGR).any()
    # away from the overlay the picture is the source's
    diff = np.abs(frames[5][300:360, -80:].astype(int) - source[5][300:360, -80:].astype(int))
    assert diff.mean() < 6


def test_annotated_video_at_an_analysis_rate_below_the_video_uses_the_analysed_frames(tmp_path, mixed):
    """The pose ran on every second frame (meta["source_frames"]): the annotated video and the
    key frames show those frames, at the analysis's rate."""
    n = mixed.pose.n_frames
    src = write_source_video(tmp_path / "src.mp4", mixed.pose.image_size, 2 * n, 2 * mixed.pose.fps)
    halved = analyze(mixed.pose.replace(meta={**mixed.pose.meta, "source_frames": list(range(0, 2 * n, 2))}))
    out = write_annotated_video(halved, src, tmp_path / "out.mp4", progress=False)
    frames, source = _decode(out), _decode(src)
    assert len(frames) == n
    corner = (slice(300, 360), slice(-80, None))

    def level(f: np.ndarray) -> float:
        return float(f[corner].astype(float).mean())

    # the gradient brightens one level a source frame: 8 levels from frame 3 to 7 of the
    # annotated video (source frames 6 and 14), not 4 (source frames 3 and 7)
    step = level(frames[7]) - level(frames[3])
    assert abs(step - (level(source[14]) - level(source[6]))) < 1.0 < abs(step - (level(source[7]) - level(source[3])))


def test_annotated_video_without_a_video_uses_a_canvas(tmp_path):
    a = analyze(hinge_reps(n_reps=2))
    out = write_annotated_video(a, None, tmp_path / "canvas.mp4", progress=False)
    frames = _decode(out)
    assert len(frames) == a.pose.n_frames
    assert any(colour_near(f, SKELETON_BGR, 25).sum() > 200 for f in frames[:3])
    assert not list(tmp_path.glob(".*part"))  # the temporary file was renamed


def test_annotated_video_refuses_a_different_video(tmp_path, mixed):
    from hingecoach.errors import HingeInputError

    src = write_source_video(tmp_path / "small.mp4", (320, 240), 10, mixed.pose.fps)
    with pytest.raises(HingeInputError, match="same video"):
        write_annotated_video(mixed, src, tmp_path / "out.mp4", progress=False)
    assert not (tmp_path / "out.mp4").exists()


# -- HTML ----------------------------------------------------------------------------------------
def test_report_is_self_contained_and_escapes_names(tmp_path, mixed):
    evil = '<img src=x onerror=alert("x")>&.mp4'
    a = analyze(mixed.pose.replace(source=str(tmp_path / evil)))
    html = report_html(a, video_path=None)
    assert "<img src=x" not in html and "<script" not in html
    assert "&lt;img src=x onerror=alert(&quot;x&quot;)&gt;&amp;.mp4" in html
    srcs = re.findall(r'src="([^"]*)"', html)
    assert srcs and all(s.startswith("data:image/") for s in srcs)
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)


def test_report_content_matches_the_analysis(tmp_path, mixed):
    path = write_report(mixed, tmp_path / "r.html", video_path=None)
    html = path.read_text()
    table = html[html.index('id="rep-table"'):]
    body = table[table.index('<tbody>'):table.index('</tbody>')]
    assert body.count("<tr") == len(mixed.reps)
    # the checklist: every check of the standard, each named, passed or not checked
    checks = html[html.index('id="check-table"'):]
    checks = checks[checks.index('<tbody>'):checks.index('</tbody>')]
    assert checks.count("<tr") == len(mixed.summary.checks)
    assert "not seen from the side view" in checks  # stance width needs a front camera
    assert f"<b>{mixed.summary.score:.0f}</b>" in html
    assert 'id="angle-curves"' in html and 'id="hip-path-plot"' in html
    assert 'id="key-best"' in html and 'id="key-worst"' in html
    # the fault section explains the squat reps with the guide's fix
    assert 'id="fault-pattern-squat"' in html or 'id="fault-knees_too_bent"' in html


def test_key_reps_are_best_and_worst(mixed):
    chosen = key_reps(mixed)
    scores = [mixed.assessments[i].score for _, _, i in chosen]
    assert [label for label, _, _ in chosen] == ["Best rep", "Worst rep"]
    assert scores == [max(a.score for a in mixed.assessments), min(a.score for a in mixed.assessments)]


def test_report_with_no_reps(tmp_path):
    still = hinge_reps(n_reps=0, stand_s=3.0)
    a = analyze(still)
    html = report_html(a, video_path=None)
    assert "No repetition found" in html


def test_partial_rep_is_shown_but_not_ranked(tmp_path):
    """A set that ends mid-rep: the partial rep is in the table, never a key frame."""
    from tests.fixtures.figures import stick_pose

    down_up = 70 * (0.5 - 0.5 * np.cos(np.linspace(0, 2 * np.pi, 75)))
    trunk = np.r_[np.zeros(30), down_up, np.zeros(30), down_up[:40]]
    a = analyze(stick_pose(trunk, np.full(trunk.size, 12.0), np.full(trunk.size, 6.0)))
    assert [r.partial for r in a.reps] == [False, True]
    assert [i for _, _, i in key_reps(a)] == [0]
    html = report_html(a, video_path=None)
    assert "2 (partial)" in html
    out = write_annotated_video(a, None, tmp_path / "p.mp4", progress=False)
    assert len(_decode(out)) == a.pose.n_frames


def test_report_says_when_a_fault_was_named_from_the_sets_median():
    from hingecoach.sim import simulate

    sim = simulate("hinge", reps=5, faults={"incomplete_lockout": 0.3}, view="side", seed=1, noise="low")
    analysis = analyze(sim.pose, level="dowel")
    limit = section("faults", "dowel")["incomplete_lockout"]["set_evidence"]["minor"]
    html = report_html(analysis)
    assert "hip angle at the top, short of your own standing, set median typically" in html
    assert f"(limit {limit:.1f}°)" in html


# -- the load's path (issue 18 item 3) ---------------------------------------------------------
@pytest.fixture(scope="module")
def drifting_deadlift():
    from hingecoach.sim import simulate

    r = simulate("deadlift", reps=4, seed=5, noise="typical", faults={"load_far_from_body": 0.8})
    return analyze(r.pose, level="deadlift", height_cm=175.0)


def test_loads_path_is_the_checks_own_measure_drawn_per_rep(drifting_deadlift):
    """The plotted path, read over the check's window (the bottom through half the ascent), is
    the measure the check graded; a rep the check named is drawn in its severity's colour, and
    the limits are the deadlift table's."""
    a = drifting_deadlift
    for rep, x in zip(a.reps, a.assessments, strict=True):
        ahead, _, _ = plots.hands_path(a.kinematics, rep)
        b0, b1 = rep.bottom_window
        hi = b1 + max(1, (rep.ascent_end_frame - b1) // 2)
        window = ahead[b0 - rep.start_frame:hi - rep.start_frame + 1]
        assert np.nanmedian(window) == pytest.approx(x.measures["hands_ahead_bottom_frac_foot"], abs=1e-9)
    named = [[f.severity for f in x.faults if f.code == "load_far_from_body"] for x in a.assessments]
    assert sum(map(bool, named)) >= 3
    limits = plots.load_limits("deadlift")
    ax = plots.plot_load_path(a.kinematics, a.reps, a.assessments, limits=limits)
    colours = [line.get_color() for line in ax.lines if len(line.get_xdata()) > 2]
    assert colours == [plots.SEVERITY_COLOURS[n[0]] if n else "#1f6fb2" for n in named]
    dashed = sorted(line.get_xdata()[0] for line in ax.lines if line.get_linestyle() == "--")
    assert dashed == pytest.approx(list(limits)) and limits == (1.3, 1.6)


def test_report_draws_the_loads_path_for_lifts_with_a_load_in_the_hands_only(drifting_deadlift):
    from hingecoach.report.html import foot_length_cm, load_path_html
    from hingecoach.sim import simulate

    html = report_html(drifting_deadlift, video_path=None, ghost=False)
    assert 'id="load-path"' in html and "Dashed lines" in html
    assert 20.0 <= foot_length_cm(drifting_deadlift) <= 31.0  # heel to toe of a 175 cm adult, ~26 cm
    swing = analyze(simulate("swing", reps=3, seed=5, noise="typical").pose)
    assert swing.exercise.name == "kettlebell_swing"
    assert "no limit is drawn" in load_path_html(swing)
    for movement in ("kneeling", "good_morning"):  # the hands hold nothing below the shoulders
        drill = analyze(simulate(movement, reps=3, seed=5, noise="typical").pose)
        assert load_path_html(drill) == "", movement
