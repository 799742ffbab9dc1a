"""The web result page's rep gallery in a real browser (issue 18 items 2 and 4): a real clip
uploaded, one tile per rep with its bottom frame (the ghost on it, from the annotated video), the
ghost said in words for every rep, and a click on a rep plays that rep (the video seeks to its
first frame and pauses at its last) and says its bottom against the ghost.
Screenshots in out/screenshots. Skips as tests/browser/test_web_browser.py does."""

from __future__ import annotations

import pytest

from tests.browser.test_web_browser import CLIP, CLIP_REPS, _browser, _watch, make_server, server, shot  # noqa: F401

pytestmark = pytest.mark.slow


def test_result_page_shows_the_gallery_and_plays_a_rep_on_click(server, tmp_path):  # noqa: F811
    if not CLIP.exists():
        pytest.skip("the real clips are not here: ../shared/clips is absent")
    base, _ = server
    pw, ctx = _browser(tmp_path, [])
    try:
        page = ctx.new_page()
        page.set_viewport_size({"width": 1280, "height": 900})
        seen = _watch(page)
        page.goto(f"{base}/upload")
        page.wait_for_function("document.querySelectorAll('#level option').length > 0")
        page.set_input_files("#file", str(CLIP))
        page.click("button[type=submit]")
        page.wait_for_selector("#gallery .rep-tile", timeout=300_000)
        tiles = page.eval_on_selector_all("#gallery .rep-tile", "t => t.map(x => x.dataset.rep)")
        tags = page.eval_on_selector_all("#gallery .rep-tag", "t => t.map(x => x.textContent)")
        page.wait_for_function(f"document.querySelectorAll('#gallery .rep-tile.has-thumb').length === {len(tiles)}",
                               timeout=60_000)
        # a thumbnail holds a picture, not the empty canvas
        lit = page.evaluate("""() => { const c = document.querySelector('#gallery .rep-tile .rep-thumb');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] + d[i+1] + d[i+2] > 200) n++; return n; }""")
        # the ghost's violet (report.ghost.GHOST_BGR, blended half over the picture) on the best rep's tile
        violet = page.evaluate("""() => { const c = document.querySelector('#gallery .rep-tile .rep-tag.best')
              .closest('.rep-tile').querySelector('.rep-thumb');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0; for (let i = 0; i < d.length; i += 4)
              if (d[i] - d[i+1] > 35 && d[i+2] - d[i+1] > 45 && d[i+2] > 120) n++; return n; }""")
        caption = page.inner_text("#ghost-caption")
        said = page.eval_on_selector_all("#ghost .ghost-list li", "t => t.map(x => [x.dataset.rep, x.textContent])")
        page.locator("#gallery").scroll_into_view_if_needed()
        shot(page, "upload-gallery-1280")
        result = page.evaluate("fetch(location.origin + document.querySelector('#result-video').src.replace(location.origin, '')"
                               ".replace('annotated.mp4', 'result.json')).then(r => r.json())")
        rep = result["reps"][2]
        fps = result["fps"]
        page.click("#gallery .rep-tile[data-rep='3']")
        page.wait_for_function("!document.querySelector('#result-video').paused", timeout=20_000)
        t_start = page.evaluate("document.querySelector('#result-video').currentTime")
        page.wait_for_timeout(400)
        shot(page, "upload-gallery-playing-1280")
        page.wait_for_function("document.querySelector('#result-video').paused", timeout=30_000)
        t_stop = page.evaluate("document.querySelector('#result-video').currentTime")
        pressed = page.eval_on_selector_all("#gallery .rep-tile[aria-pressed=true]", "t => t.map(x => x.dataset.rep)")
        rep_words = page.inner_text("#rep-words")
        page.locator("#ghost").scroll_into_view_if_needed()
        shot(page, "upload-ghost-words-1280")
        page.set_viewport_size({"width": 390, "height": 844})
        phone_width = page.evaluate("document.documentElement.scrollWidth")
        shot(page, "upload-gallery-390")
    finally:
        ctx.close()
        pw.stop()
    assert len(tiles) == len(result["reps"]) >= CLIP_REPS
    assert any(t.startswith("best") for t in tags)
    assert lit > 1000
    start, end = rep["start_frame"] / fps, (rep["end_frame"] + 1) / fps
    assert start - 0.05 <= t_start <= start + 0.5, (t_start, start)
    assert end - 0.05 <= t_stop <= end + 0.25, (t_stop, end)
    assert pressed == ["3"]
    assert caption.startswith("The ghost (the violet figure) is your own body's proportions")
    assert [rep for rep, _ in said] == [str(r["index"]) for r in result["reps"]]
    assert all(("Compared with the ghost" in text or "matched the ghost" in text) for _, text in said), said
    assert rep_words == f"Rep 3: {result['ghost']['reps'][2]['words']}"
    assert violet > 50, violet
    assert phone_width <= 390
    assert not seen["errors"], seen["errors"]
