"""The report as a person sees it: rendered in headless Chromium (Debian's ``chromium``), at a
phone's width, and the annotated video of a real clip decoded frame by frame."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from hingecoach.report import write_annotated_video, write_report
from hingecoach.report.overlay import SKELETON_BGR
from hingecoach.report.overlay_plan import plan_overlay
from tests.fixtures.clips import CLIPS
from tests.fixtures.report import colour_near, mixed_set

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
CLIP = "tby66/0016c_1.mp4"


def _chromium() -> str:
    found = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
    if not found:
        pytest.skip("headless Chromium not found: install it with `apt-get install -y chromium`")
    return found


@pytest.fixture(scope="module")
def chromium_browser():
    exe = _chromium()
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(chromium_browser, path: Path, width: int = 390, height: int = 844):
    page = chromium_browser.new_page(viewport={"width": width, "height": height})
    page.goto(path.resolve().as_uri())
    page.wait_for_load_state("load")
    return page


def _check_page(page, analysis) -> None:
    summary = page.locator("#summary")
    assert summary.is_visible()
    text = summary.inner_text()
    assert "reps counted" in text and str(analysis.summary.reps) in text
    assert f"{analysis.summary.score:.0f}" in text
    images = page.eval_on_selector_all(
        "img", """els => els.map(e => ({id: e.id, w: e.naturalWidth, shown: e.getBoundingClientRect().width,
                                       thumb: e.classList.contains('thumb'),
                                       box: (e.closest('.wide') || e.closest('.gallery') || e).getBoundingClientRect().width}))""")
    ids = {i["id"] for i in images}
    assert {"angle-curves", "hip-path-plot"} <= ids
    assert all(i["w"] > 0 for i in images), images  # every picture decoded
    # big enough to read: the gallery's thumbnails (one per rep, in a row that scrolls) smaller
    assert all(i["shown"] >= (140 if i["thumb"] else 300) for i in images), images
    assert all(0 < i["box"] <= 390 for i in images), images  # and its box fits a phone's width
    assert sum(i["thumb"] for i in images) == len(analysis.reps)
    rows = page.locator("#rep-table tbody tr")
    assert rows.count() == len(analysis.reps)
    assert page.locator("#rep-table").is_visible()
    # nothing makes the page itself scroll sideways on a phone (the table scrolls in its box)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_report_renders_in_chromium(chromium_browser, tmp_path):
    a = mixed_set()
    path = write_report(a, tmp_path / "report.html", video_path=None)
    page = _open(chromium_browser, path)
    _check_page(page, a)
    faults = page.locator("#faults").inner_text()
    assert "Drill" in faults
    page.close()


@pytest.fixture(scope="module")
def clip_analysis():
    clips = CLIPS
    if not (clips / CLIP).exists():
        pytest.skip("the real clips are not here: ../shared/clips is absent")
    from hingecoach.cli.analyze import analyze_path

    return clips / CLIP, analyze_path(clips / CLIP, progress=False)


def test_report_of_a_real_clip_in_chromium(chromium_browser, tmp_path, clip_analysis):
    video, a = clip_analysis
    path = write_report(a, tmp_path / "clip.html")
    page = _open(chromium_browser, path)
    _check_page(page, a)
    assert page.locator("#key-best").is_visible()
    page.close()


def test_annotated_video_of_a_real_clip(tmp_path, clip_analysis):
    video, a = clip_analysis
    out = write_annotated_video(a, video, tmp_path / "annotated.mp4", progress=False)
    cap, src = cv2.VideoCapture(str(out)), cv2.VideoCapture(str(video))
    size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    assert size == a.pose.image_size
    assert cap.get(cv2.CAP_PROP_FPS) == pytest.approx(a.pose.fps, rel=1e-3)
    plan = plan_overlay(a)
    checks = {r.bottom_frame for r in a.reps[:3]} | {0}
    n = 0
    drawn_on = 0
    while True:
        ok, frame = cap.read()
        ok_src, source = src.read()
        if not ok:
            break
        assert ok_src and frame.shape == source.shape
        assert frame.shape[1::-1] == a.pose.image_size
        if n in checks:
            hip, knee = plan.points["hip"][n], plan.points["knee"][n]
            x, y = ((hip + knee) / 2).round().astype(int)
            box = (slice(y - 2, y + 3), slice(x - 2, x + 3))
            if colour_near(frame[box], SKELETON_BGR).any() and not colour_near(source[box], SKELETON_BGR, 30).all():
                drawn_on += 1
            assert np.abs(frame.astype(int) - source.astype(int)).max() > 100  # something was drawn
        n += 1
    cap.release()
    src.release()
    assert n == a.pose.n_frames
    assert drawn_on == len(checks)
