"""The renderer draws the figure where the camera says the joints are, BlazePose reads it, and
the video writer produces an H.264 mp4."""

from __future__ import annotations

import numpy as np
import pytest

from hingecoach.sim.camera import Camera
from hingecoach.sim.render import project_points, render_frame, render_video
from hingecoach.sim.render_check import BlazePose, landmark_error_frac, mid_angles, named
from hingecoach.sim.render_poses import hinge_sequence, stick_pose

SIZE = (640, 360)
SIDE = Camera(distance_m=3.2, height_m=1.0, yaw_deg=0.0, side="right", hfov_deg=66.0)


def _away(points: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The same figure moved far out of view (to render the empty scene)."""
    return {k: v + np.array([0.0, 0.0, 50.0]) for k, v in points.items()}


def test_figure_covers_its_projected_joints() -> None:
    pose = stick_pose()
    with_figure = render_frame(pose, SIDE, SIZE).astype(int)
    empty = render_frame(_away(pose), SIDE, SIZE).astype(int)
    truth = project_points({k: v[None] for k, v in pose.items()}, SIDE, SIZE)
    for name in ("left_hip", "left_knee", "left_shoulder", "nose", "left_ankle"):
        u, v = np.round(truth[name][0]).astype(int)
        assert np.abs(with_figure[v, u] - empty[v, u]).sum() > 30, name
    # far from the body the scene is unchanged (apart from the soft shadow on the floor)
    assert np.abs(with_figure[5:40, 5:40] - empty[5:40, 5:40]).max() == 0


def test_side_camera_on_the_right_shows_the_person_facing_left() -> None:
    pose = stick_pose()
    truth = project_points({k: v[None] for k, v in pose.items()}, SIDE, SIZE)
    assert truth["nose"][0, 0] < truth["left_ear"][0, 0]
    img = render_frame(pose, SIDE, SIZE)
    assert img.shape == (SIZE[1], SIZE[0], 3) and img.dtype == np.uint8


@pytest.mark.parametrize("build", ["average", "heavy"])
def test_blazepose_finds_standing_figure_joints(build: str) -> None:
    pose = stick_pose()
    img = render_frame(pose, SIDE, SIZE, build)
    with BlazePose(static=True) as bp:
        det = bp.run([img])
    assert det.detected.all()
    truth = project_points({k: v[None] for k, v in pose.items()}, SIDE, SIZE)
    err = landmark_error_frac(det, truth, SIZE[1])
    for joint in ("hip", "knee", "ankle"):
        assert err[joint][0] < 0.03, (joint, err[joint][0])


def test_blazepose_reads_hinge_angles_from_a_side_view() -> None:
    seq = hinge_sequence(n_frames=9)
    frames = [{k: v[i] for k, v in seq.items()} for i in (0, 4)]  # standing, near the bottom
    imgs = [render_frame(f, SIDE, SIZE) for f in frames]
    with BlazePose(static=True) as bp:
        det = bp.run(imgs)
    truth = mid_angles(project_points(seq, SIDE, SIZE), down_is_positive_y=True)
    seen = mid_angles(named(det.xy_px), down_is_positive_y=True)
    for key in ("hip", "knee", "trunk"):
        err = np.abs(seen[key] - truth[key][[0, 4]])
        assert np.all(err < 8.0), (key, err)
    assert truth["hip"][4] < 120.0  # the bottom frame really is a deep hinge


def test_render_video_writes_h264_mp4(tmp_path) -> None:
    import imageio_ffmpeg

    seq = hinge_sequence(n_frames=4)
    out = render_video(seq, tmp_path / "clip.mp4", camera=SIDE, size=(160, 90), fps=10, progress=False)
    reader = imageio_ffmpeg.read_frames(str(out))
    meta = next(reader)
    n = sum(1 for _ in reader)
    assert n == 4
    assert tuple(meta["size"]) == (160, 90)
    assert "h264" in meta["codec"]


def test_render_video_rejects_odd_sizes(tmp_path) -> None:
    with pytest.raises(ValueError, match="even width and height"):
        render_video(hinge_sequence(2), tmp_path / "x.mp4", camera=SIDE, size=(161, 90), progress=False)


def test_render_video_takes_a_simulator_result(tmp_path) -> None:
    import imageio_ffmpeg

    from hingecoach.sim import simulate

    result = simulate("hinge", reps=1, view="oblique", seed=11, noise="none", setup=False, fps=5.0)
    out = render_video(result, tmp_path / "sim.mp4", size=(128, 72), progress=False)
    reader = imageio_ffmpeg.read_frames(str(out))
    meta = next(reader)
    assert sum(1 for _ in reader) == result.pose3d.n_frames
    assert meta["fps"] == pytest.approx(5.0)
