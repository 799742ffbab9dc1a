// Camera guide: from one frame's landmarks (MediaPipe: x, y in [0, 1] of the image width and
// height, visibility), is this a side view, is the whole body inside the picture with a margin,
// is the person at a good distance, and if not, what to move. Pure function; live.js calls it.
"use strict";
const HingeGuide = (function () {
  const NOSE = 0, EARS = [7, 8], SHOULDERS = [11, 12], HIPS = [23, 24];
  const FEET = [27, 28, 29, 30, 31, 32];  // ankles, heels, toes
  const SEEN = 0.5;        // visibility above which a landmark counts as seen
  const MARGIN = 0.03;     // of the picture: head and feet this far inside the edges
  const SIDE_MAX = 0.35;   // shoulder width / torso length: side on (shoulders nearly overlap)
  const FRONT_MIN = 0.6;   // ... facing the camera (oblique in between)
  const NEAR_MAX = 0.95;   // standing height / picture height: closer than this, standing up leaves the picture
  const FAR_MIN = 0.45;    // ... farther than this leaves too few pixels for the joints

  const seen = (lm, i) => lm[i] && (lm[i].visibility === undefined || lm[i].visibility >= SEEN);
  const mid = (lm, [a, b], w, h) => [(lm[a].x + lm[b].x) / 2 * w, (lm[a].y + lm[b].y) / 2 * h];

  function view(lm, w, h) {
    // the far shoulder is often hidden (low visibility) side on, but its estimate is still usable
    if (![...SHOULDERS, ...HIPS].every(i => lm[i])) return {ok: false, ratio: null, tip: "Stand where the camera sees your whole body."};
    const shoulder = Math.abs(lm[11].x - lm[12].x) * w;
    const [sx, sy] = mid(lm, SHOULDERS, w, h), [hx, hy] = mid(lm, HIPS, w, h);
    const torso = Math.hypot(sx - hx, sy - hy);
    if (torso < 1) return {ok: false, ratio: null, tip: "Stand where the camera sees your whole body."};
    const ratio = shoulder / torso;
    if (ratio <= SIDE_MAX) return {ok: true, ratio, tip: ""};
    if (ratio >= FRONT_MIN) return {ok: false, ratio, tip: "You are facing the camera: turn 90° so your side faces it."};
    return {ok: false, ratio, tip: "Turn a little more: your side should face the camera, shoulders one behind the other."};
  }

  function frame(lm) {
    const head = [NOSE, ...EARS].filter(i => seen(lm, i)), feet = FEET.filter(i => seen(lm, i));
    if (!head.length) return {ok: false, tip: "Your head is out of the picture: step back or tilt the camera up."};
    if (!feet.length) return {ok: false, tip: "Your feet are out of the picture: step back or tilt the camera down."};
    const pts = [...head, ...feet, ...SHOULDERS, ...HIPS].filter(i => seen(lm, i)).map(i => lm[i]);
    const top = Math.min(...head.map(i => lm[i].y)), bottom = Math.max(...feet.map(i => lm[i].y));
    const left = Math.min(...pts.map(p => p.x)), right = Math.max(...pts.map(p => p.x));
    // the top of the head is above the nose and ears by about their distance to the shoulders / 2
    const crown = top - 0.5 * Math.max(0, mid(lm, SHOULDERS, 1, 1)[1] - top);
    if (crown < MARGIN) return {ok: false, tip: "Your head is at the top edge: step back or tilt the camera up."};
    if (bottom > 1 - MARGIN) return {ok: false, tip: "Your feet are at the bottom edge: step back or tilt the camera down."};
    if (left < MARGIN) return {ok: false, tip: "You are at the left edge of the picture: move towards the middle."};
    if (right > 1 - MARGIN) return {ok: false, tip: "You are at the right edge of the picture: move towards the middle."};
    return {ok: true, tip: ""};
  }

  // Body length in picture heights from its segments (nose-shoulder-hip-knee-ankle, the side
  // nearer the camera): unlike head-to-feet height it does not shrink when kneeling or bent.
  function bodyLength(lm, w, h) {
    const side = (lm[23].visibility || 0) >= (lm[24].visibility || 0) ? [11, 23, 25, 27] : [12, 24, 26, 28];
    let len = 0, prev = [lm[NOSE].x * w, lm[NOSE].y * h];
    for (const i of side) {
      const p = [lm[i].x * w, lm[i].y * h];
      len += Math.hypot(p[0] - prev[0], p[1] - prev[1]);
      prev = p;
    }
    return len / h / 0.93;  // nose to ankle is ~93% of standing height
  }

  function distance(lm, fr, w, h) {
    if (!fr.ok) return {ok: false, tip: "", length: null};
    const length = bodyLength(lm, w, h);
    if (length > NEAR_MAX) return {ok: false, length, tip: "Step back a little: standing, you would not fit in the picture."};
    if (length < FAR_MIN) return {ok: false, length, tip: "Come closer to the camera: standing, you should fill about two thirds of the picture's height."};
    return {ok: true, length, tip: ""};
  }

  // lm: 33 landmarks or null; w, h: the picture's size in pixels.
  function check(lm, w, h) {
    if (!lm) {
      const none = {ok: false, tip: "No one in the picture yet: stand 2-3 m from the camera, side on."};
      return {frame: none, view: {ok: false, ratio: null, tip: ""}, distance: {ok: false, tip: ""}, ok: false, tip: none.tip};
    }
    const fr = frame(lm), vw = view(lm, w || 1, h || 1), ds = distance(lm, fr, w || 1, h || 1);
    const tip = fr.tip || vw.tip || ds.tip;
    return {frame: fr, view: vw, distance: ds, ok: fr.ok && vw.ok && ds.ok, tip};
  }

  return {check};
})();
