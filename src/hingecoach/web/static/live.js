// Live page: camera -> MediaPipe Pose in this browser -> landmarks over the WebSocket ->
// rep count, phase and one cue back from the HingeCoach engine.
//
// A set, hands-free: when the coach sees the person in place, a spoken 3-2-1 starts it; every
// rep is counted aloud; the set ends on the space bar, the End button, or 4 s of standing still
// once the target is reached; the summary then takes the camera's place (the count stays as it
// was) and a rest timer counts down to the next set's 3-2-1.
"use strict";
(function () {
  const params = new URLSearchParams(location.search);
  const $ = id => document.getElementById(id);
  const video = $("video"), canvas = $("overlay"), ctx = canvas.getContext("2d");
  // State the page (and its tests) can read.
  const state = window.hingeLive = {frames: 0, landmarkFrames: 0, updates: 0, repCount: 0, cues: [],
                                    fps: 0, errors: [], model: null, cpu: null, summary: null,
                                    cameraStart: null, phase: "idle", setsDone: 0, spoken: [],
                                    guide: null, endReason: null, failure: null, level: null,
                                    setStarts: []};
  const EDGES = [[11, 13], [13, 15], [12, 14], [14, 16], [11, 12], [11, 23], [12, 24], [23, 24],
                 [23, 25], [25, 27], [24, 26], [26, 28], [27, 29], [29, 31], [27, 31], [28, 30], [30, 32], [28, 32]];
  const CUE_SHOWN_MS = 6000;  // a cue belongs to the rep just done; clear it before it goes stale
  const COUNTDOWN_S = 3;
  const STILL_S = Number(params.get("still")) || 4;  // standing still this long after the target ends the set
  const STILL_RANGE = 0.03;   // ... moving less than this (of the picture's height) counts as still
  const STILL_POINTS = [11, 12, 23, 24, 25, 26, 27, 28];
  const REST_S = Number(params.get("rest")) || 90;
  const TIP_SPOKEN_EVERY_MS = 8000;
  let socket = null, setStart = null, setEnd = null, cueTimer = null, countdownTimer = null, restTimer = null;
  let config = {levels: [], fault_titles: {}}, plan = null, last = null, awaitingStart = false;
  const AUTO = params.get("auto") !== "0";  // start a set by itself when the person is in place
  let armed = AUTO;
  let targetSince = null, motion = [], lastTip = "", lastTipAt = 0;

  // -- speech ------------------------------------------------------------------------------
  function say(text, urgent) {
    state.spoken.push(text);
    if (!$("speak").checked || !("speechSynthesis" in window)) return;
    try {
      if (urgent) speechSynthesis.cancel();
      const u = new SpeechSynthesisUtterance(text);
      u.rate = 1.05;
      speechSynthesis.speak(u);
    } catch (e) { /* no voice on this machine: the page still shows everything */ }
  }

  // -- failures: a plain message and the way out, never a raw error ----------------------------
  const FAILURES = {
    model: "The pose model could not be loaded in this browser, so live coaching cannot run here.",
    denied: "The camera is blocked for this page. Allow it (the camera icon in the address bar) and reload.",
    nocamera: "No camera was found. Connect one and reload this page.",
    busy: "The camera is in use by another program. Close that program and reload this page.",
    camera: "The camera could not be started.",
    server: "The HingeCoach server on this computer is not answering. Check that `hinge serve` is still running, then reload.",
  };
  function fail(kind, err) {
    if (err) state.errors.push(`${err.name || "Error"}: ${err.message || err}`);
    if (state.failure) return;
    state.failure = kind;
    const box = $("failure");
    box.replaceChildren(hc.el("p", {text: FAILURES[kind] || FAILURES.camera}),
      hc.el("p", {}, "You can still ", hc.el("a", {href: "/upload", text: "upload a video of your set"}),
            " and get the same analysis."));
    box.hidden = false;
    $("stage").hidden = true;
    $("status").textContent = FAILURES[kind] || FAILURES.camera;
    setPhase("failed");
  }
  function cameraFailure(err) {
    const name = err && err.name;
    if (name === "NotAllowedError" || name === "SecurityError") return "denied";
    if (name === "NotFoundError" || name === "OverconstrainedError") return "nocamera";
    if (name === "NotReadableError" || name === "AbortError") return "busy";
    return "camera";
  }

  // -- the set's flow ------------------------------------------------------------------------
  function setPhase(phase) {
    state.phase = phase;
    document.body.dataset.phase = phase;
    $("start-set").disabled = !(phase === "idle" || phase === "summary");
    $("end-set").disabled = phase !== "counting";
    $("new-set").disabled = phase === "failed" || phase === "ending";
  }

  function showCount(n) {
    state.repCount = n;
    $("rep-count").textContent = String(n);
  }

  function target() {
    const n = parseInt($("target").value, 10);
    return Number.isFinite(n) && n > 0 ? n : null;
  }

  function startCountdown() {
    if (!socket || socket.readyState !== 1 || !["idle", "summary"].includes(state.phase)) return;
    armed = false;
    stopRest();
    showCamera();
    setPhase("countdown");
    $("cue").textContent = ""; $("cue").className = "";
    let n = COUNTDOWN_S;
    const box = $("countdown");
    box.hidden = false;
    const tick = () => {
      if (state.phase !== "countdown") return;
      if (n > 0) {
        box.textContent = String(n);
        say(String(n));
        n -= 1;
        countdownTimer = setTimeout(tick, 1000);
      } else {
        box.hidden = true;
        say("Go");
        beginSet();
      }
    };
    tick();
  }

  function beginSet() {
    state.level = $("level").value || null;
    state.setStarts.push(Math.round(performance.now() - (state.cameraStart || 0)));
    awaitingStart = true;  // updates still in flight count the old set until "started" comes back
    socket.send(JSON.stringify({type: "start", level: state.level}));
    setPhase("counting");
    setStart = performance.now(); setEnd = null;
    targetSince = null; motion = [];
    showCount(0);
    $("score").textContent = "–";
    $("set-label").textContent = `Set ${state.setsDone + 1}${plan && !plan.rest_day ? " of " + plan.sets : ""} · reps`;
    $("status").textContent = "Counting. Stand side on, whole body in view.";
  }

  function endSet(reason) {
    if (state.phase !== "counting") return;
    state.endReason = reason;
    setPhase("ending");
    setEnd = performance.now();
    socket.send(JSON.stringify({type: "end_set", log: $("log").checked}));
  }

  function newSet() {
    if (state.phase === "counting" && state.repCount > 0 &&
        !window.confirm(`Drop this set of ${hc.plural(state.repCount, "rep")}? It will not be saved.`)) return;
    clearTimeout(countdownTimer);
    if (state.phase === "countdown" || state.phase === "counting") setPhase("idle");
    startCountdown();
  }

  function toggleSet() {
    if (state.phase === "counting") endSet("key");
    else if (state.phase === "idle" || state.phase === "summary") startCountdown();
  }

  function showCamera() {
    $("summary").hidden = true;
    $("stage").classList.remove("mini");
  }

  function setsLeft() {
    if (!plan || plan.rest_day) return null;
    return Math.max(0, plan.sets - (plan.sets_done_today || 0) - state.setsDone);
  }

  function startRest() {
    stopRest();
    let left = REST_S;
    const show = () => { $("rest-left").textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`; };
    $("rest").hidden = false;
    show();
    restTimer = setInterval(() => {
      left -= 1;
      show();
      if (left === 10) say("Ten seconds");
      if (left <= 0) {
        stopRest();
        armed = AUTO;
        say("Rest over. Get in place, side on.");
        $("status").textContent = "Rest over: the next set starts when the coach sees you in place.";
      }
    }, 1000);
  }

  function stopRest() {
    clearInterval(restTimer);
    restTimer = null;
    $("rest").hidden = true;
  }

  // -- messages from the coach ---------------------------------------------------------------
  function connect() {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(proto + "//" + location.host + "/ws/live");
    socket.onmessage = ev => onMessage(JSON.parse(ev.data));
    return new Promise((resolve, reject) => {
      socket.onopen = () => {
        socket.onclose = () => fail("server");
        resolve();
      };
      socket.onerror = () => reject(Object.assign(new Error("WebSocket failed"), {kind: "server"}));
      socket.onclose = () => reject(Object.assign(new Error("WebSocket closed"), {kind: "server"}));
    });
  }

  function onMessage(msg) {
    if (msg.type === "update") return showUpdate(msg);
    if (msg.type === "started") { awaitingStart = false; return undefined; }
    if (msg.type === "summary") return showSummary(msg);
    if (msg.type === "error") state.errors.push(msg.message);
    return undefined;
  }

  function showUpdate(u) {
    state.updates += 1;
    last = u;
    $("phase").textContent = state.phase === "counting" ? u.phase : "";
    mark("g-ready", u.ready);
    if (state.phase === "counting" && !awaitingStart) {
      const before = state.repCount;
      showCount(u.rep_count);
      $("score").textContent = hc.fmt(u.score);
      if (u.rep_count > before) countAloud(u.rep_count);
      if (u.cue) showCue(u.cue);
    } else if (armed && (state.phase === "idle" || (state.phase === "summary" && restTimer === null))
               && u.ready && u.in_frame && u.view !== "front") {
      armed = false;
      startCountdown();
    }
  }

  function countAloud(n) {
    const goal = target();
    if (goal && n === goal) {
      targetSince = performance.now(); motion = [];
      say(`${n}. Target reached. Stand still to finish.`);
      $("target-text").textContent = `Target ${goal} reached: stand still ${STILL_S} s to end the set.`;
    } else {
      say(String(n));
    }
  }

  function showCue(cue) {
    state.cues.push(cue);
    const box = $("cue");
    box.textContent = cue;
    box.className = cue === config.praise_cue ? "praise" : "warn";
    clearTimeout(cueTimer);
    cueTimer = setTimeout(() => { box.textContent = ""; box.className = ""; }, CUE_SHOWN_MS);
    say(cue);
  }

  function mark(id, ok) { $(id).className = ok ? "ok" : "todo"; }

  function showSummary(msg) {
    const r = msg.result, s = r.summary || {}, box = $("summary");
    state.summary = r;
    if (r.rep_count > 0) state.setsDone += 1;
    setPhase("summary");
    const left = setsLeft();
    box.replaceChildren(
      hc.el("h2", {id: "summary-title", text: `Set done: ${hc.plural(r.rep_count, "rep")} · score ${hc.fmt(r.score)}`}),
      hc.el("p", {class: "muted", text: `Level ${hc.levelName(config, state.level)}. ` +
        (msg.logged_set_id ? "Saved to your log." : !$("log").checked ? "Not saved (saving is off)."
          : r.rep_count === 0 ? "Nothing to save: no rep was counted." : "Not saved: the log could not be written.")}));
    if (s.fix_first) {
      box.append(hc.el("p", {class: "warn"}, hc.el("b", {text: "Fix first: "}),
        `${s.fix_first.title}. ${s.fix_first.cue}.`), hc.el("p", {class: "muted", text: `Drill: ${s.fix_first.drill}`}));
    }
    for (const w of s.went_well || []) box.append(hc.el("p", {class: "praise", text: "✓ " + w}));
    if (r.exercise) {
      const how = r.exercise_source === "recognised" && typeof r.exercise_confidence === "number"
        ? ` (recognised, ${Math.round(r.exercise_confidence * 100)}% sure)` : "";
      box.append(hc.el("p", {class: "exercise"}, hc.el("b", {text: "Exercise: "}), r.exercise.replace(/_/g, " ") + how));
    }
    const tempo = s.tempo || {};
    if (tempo.note) box.append(hc.el("p", {class: "note", text: tempo.note}));
    // what the coach could not see is said, not guessed (the reasons come with the checks)
    const unseen = (s.checks || []).filter(c => c.status === "not checked" && !/standard/.test(c.reason || ""));
    if (unseen.length) {
      box.append(hc.el("p", {class: "muted", id: "not-checked",
        text: "Not checked: " + unseen.map(c => `${c.title.toLowerCase()} (${c.reason})`).join("; ") + "."}));
    }
    for (const w of r.warnings || []) box.append(hc.el("p", {class: "note", text: "Note: " + w}));
    if (left === 0) box.append(hc.el("p", {class: "praise", text: "That was today's last set. Well done."}));
    else box.append(hc.el("p", {text: left ? `Rest, then set ${state.setsDone + 1} of ${plan.sets}.` : "Rest, then the next set."}));
    if (left !== 0) box.append($("rest"));
    const buttons = hc.el("div", {class: "buttons"});
    if (left === 0) {
      const next = hc.el("button", {type: "button", text: "Start another set"});
      next.onclick = () => startCountdown();
      buttons.append(next);
    }
    const camera = hc.el("button", {type: "button", class: "secondary", text: "Show the camera"});
    camera.onclick = () => { showCamera(); };
    buttons.append(camera);
    box.append(buttons);
    $("stage").classList.add("mini");
    box.hidden = false;
    box.focus({preventScroll: true});
    box.scrollIntoView({block: "nearest"});
    $("target-text").textContent = "";
    $("status").textContent = "Set over. The count stays until the next set starts.";
    say(`Set done. ${hc.plural(r.rep_count, "rep")}.` + (s.fix_first ? ` Next set: ${s.fix_first.cue}.` : ""));
    if (left !== 0) startRest();
  }

  // -- per frame ------------------------------------------------------------------------------
  function timer() {
    const end = setEnd === null ? performance.now() : setEnd;
    const s = setStart === null ? 0 : Math.floor((end - setStart) / 1000);
    $("timer").textContent = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  }

  // True when the body moved less than STILL_RANGE over the last STILL_S seconds (or left).
  function stillAfterTarget(lm, now) {
    if (targetSince === null) return false;
    motion.push([now, lm ? STILL_POINTS.flatMap(i => [lm[i].x, lm[i].y]) : null]);
    while (motion.length && motion[0][0] < now - STILL_S * 1000) motion.shift();
    if (now - targetSince < STILL_S * 1000) return false;
    const seen = motion.filter(m => m[1]);
    if (!seen.length) return true;  // walked out of the picture
    let range = 0;
    for (let k = 0; k < seen[0][1].length; k++) {
      let lo = Infinity, hi = -Infinity;
      for (const m of seen) { lo = Math.min(lo, m[1][k]); hi = Math.max(hi, m[1][k]); }
      range = Math.max(range, hi - lo);
    }
    if (range >= STILL_RANGE) targetSince = Math.max(targetSince, now - STILL_S * 1000 + 1000);
    return range < STILL_RANGE;
  }

  function guide(lm) {
    const g = state.guide = HingeGuide.check(lm, video.videoWidth, video.videoHeight);
    mark("g-frame", g.frame.ok); mark("g-view", g.view.ok); mark("g-distance", g.distance.ok);
    const tip = g.tip || (last && !last.ready ? "Good. Hold still a second." : "");
    if ($("guide-tip").textContent !== tip) $("guide-tip").textContent = tip;
    const now = performance.now();
    if (g.tip && state.phase === "idle" && (g.tip !== lastTip || now - lastTipAt > TIP_SPOKEN_EVERY_MS) &&
        now - lastTipAt > 3000) {
      lastTip = g.tip; lastTipAt = now;
      say(g.tip);
    }
  }

  function draw(lm) {
    canvas.width = video.videoWidth; canvas.height = video.videoHeight;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (!lm) return;
    const P = i => [lm[i].x * canvas.width, lm[i].y * canvas.height];
    ctx.lineWidth = 3; ctx.strokeStyle = "#3ddc97";
    for (const [a, b] of EDGES) { ctx.beginPath(); ctx.moveTo(...P(a)); ctx.lineTo(...P(b)); ctx.stroke(); }
    // The dowel: back of the head, upper back and sacrum on one line (the guide's three contact points).
    const mid = (a, b) => [(lm[a].x + lm[b].x) / 2 * canvas.width, (lm[a].y + lm[b].y) / 2 * canvas.height];
    const hip = mid(23, 24), head = mid(7, 8);
    ctx.strokeStyle = "#f2b134"; ctx.lineWidth = 5; ctx.beginPath();
    ctx.moveTo(hip[0] + (hip[0] - head[0]) * 0.1, hip[1] + (hip[1] - head[1]) * 0.1);
    ctx.lineTo(head[0] + (head[0] - hip[0]) * 0.1, head[1] + (head[1] - hip[1]) * 0.1); ctx.stroke();
  }

  function onResults(results) {
    state.frames += 1;
    const lm = results.poseLandmarks || null;
    if (lm) state.landmarkFrames += 1;
    draw(lm);
    guide(lm);
    const now = performance.now();
    if (state.phase === "counting" && stillAfterTarget(lm, now)) endSet("still");
    if (socket && socket.readyState === 1 && socket.bufferedAmount < 65536) {
      socket.send(JSON.stringify({type: "frame", t: now, w: video.videoWidth, h: video.videoHeight,
        lm: lm ? lm.map(p => [p.x, p.y, p.z, p.visibility === undefined ? 1 : p.visibility]) : null,
        // world landmarks (metres): the body's plane when the camera is not side on, as offline
        wl: lm && results.poseWorldLandmarks ? results.poseWorldLandmarks.map(p => [p.x, p.y, p.z]) : null}));
    }
  }

  // -- start-up ---------------------------------------------------------------------------------
  async function loadPlan() {
    config = await hc.config();
    plan = await hc.today();
    const levelId = params.get("level") || (plan && plan.level && plan.level.id) || (config.levels[0] || {}).id;
    hc.fillLevels($("level"), config, levelId);
    const reps = Number(params.get("reps")) || (plan && plan.reps) ||
      ((config.levels.find(l => l.id === $("level").value) || {}).reps || [10])[0];
    $("target").value = String(reps);
    const box = $("plan");
    if (!plan) { box.textContent = "No plan for today (the training log is not available): choose a level."; return; }
    const lv = plan.level || {};
    box.replaceChildren(hc.el("p", {}, hc.el("b", {text: `Level ${lv.number}: ${lv.name}`})));
    if (plan.rest_day) box.append(hc.el("p", {text: "Rest day. " + (plan.rest_reason || "")}));
    else box.append(hc.el("p", {class: "plan-volume", text: `${plan.sets} sets × ${plan.reps} reps` +
      (plan.sets_done_today ? ` (${plan.sets_done_today} done today)` : "")}));
    if (plan.focus_cue) box.append(hc.el("p", {}, hc.el("b", {text: "Focus: "}), plan.focus_cue));
  }

  async function start() {
    state.model = params.get("model") === "full" ? "full" : "lite";
    state.cpu = params.has("cpu") ? params.get("cpu") !== "0" : noGpu();
    $("model").textContent = `${state.model}${state.cpu ? " (CPU)" : " (GPU)"}`;
    if (typeof Pose === "undefined") return fail("model", new Error("pose.js did not load"));
    let pose;
    try {
      pose = new Pose({locateFile: f => "/static/vendor/mediapipe/" + f});
      pose.setOptions({modelComplexity: state.model === "full" ? 1 : 0, smoothLandmarks: true, enableSegmentation: false,
                       minDetectionConfidence: 0.5, minTrackingConfidence: 0.5, useCpuInference: state.cpu});
      pose.onResults(onResults);
      $("status").textContent = "Pose model loading…";
      await pose.initialize();  // before the camera, so no movement is missed while it loads
    } catch (err) { return fail("model", err); }
    try { await connect(); } catch (err) { return fail("server", err); }
    try {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        throw Object.assign(new Error("no mediaDevices"), {name: "NotFoundError"});
      }
      video.srcObject = await navigator.mediaDevices.getUserMedia({video: {width: 640, height: 480}, audio: false});
      await video.play();
    } catch (err) { return fail(cameraFailure(err), err); }
    state.cameraStart = performance.now();
    $("status").textContent = armed ? "Get in place, side on: the set starts with a 3-2-1 when the coach sees you."
      : "Press Start set (or the space bar) when you are in place.";
    let t0 = performance.now(), n0 = 0;
    const step = async () => {
      if (state.failure) return;
      try {
        if (video.readyState >= 2) await pose.send({image: video});
      } catch (err) { return fail("model", err); }
      const now = performance.now();
      if (now - t0 > 2000) { state.fps = (state.frames - n0) * 1000 / (now - t0); t0 = now; n0 = state.frames; $("fps").textContent = state.fps.toFixed(1); }
      timer();
      setTimeout(step, 0);  // yield between frames, or the page hangs
      return undefined;
    };
    step();
    return undefined;
  }

  function noGpu() {
    // Software WebGL (SwiftShader, llvmpipe) makes the GPU path ~15x slower than CPU inference.
    try {
      const gl = document.createElement("canvas").getContext("webgl");
      if (!gl) return true;
      const info = gl.getExtension("WEBGL_debug_renderer_info");
      const name = info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : "";
      return /swiftshader|llvmpipe|software/i.test(name);
    } catch (e) { return true; }
  }

  // -- controls ---------------------------------------------------------------------------------
  $("start-set").onclick = () => startCountdown();
  $("end-set").onclick = () => endSet("button");
  $("new-set").onclick = () => newSet();
  $("skip-rest").onclick = () => startCountdown();
  const big = $("big");
  big.checked = params.get("big") === "1" || localStorage.getItem("hinge.big") === "1";
  const applyBig = () => { document.body.classList.toggle("big", big.checked); localStorage.setItem("hinge.big", big.checked ? "1" : "0"); };
  big.onchange = applyBig;
  applyBig();
  const typing = t => t && /^(INPUT|SELECT|TEXTAREA)$/.test(t.tagName) && t.type !== "checkbox";
  document.addEventListener("keydown", ev => {
    if (ev.code !== "Space" || typing(ev.target) || ev.repeat) return;
    ev.preventDefault();  // no page scroll, no click on a focused button
    toggleSet();
  });
  document.addEventListener("keyup", ev => { if (ev.code === "Space" && !typing(ev.target)) ev.preventDefault(); });
  setPhase("idle");
  loadPlan().catch(() => { $("plan").textContent = "Today's plan could not be loaded."; })
    .then(start)
    .catch(err => fail("camera", err));
})();
