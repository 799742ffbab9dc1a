// Live page: camera -> MediaPipe Pose in this browser -> landmarks over the WebSocket ->
// rep count, phase and one cue back from the HingeCoach engine.
"use strict";
(function () {
  const params = new URLSearchParams(location.search);
  const $ = id => document.getElementById(id);
  const video = $("video"), canvas = $("overlay"), ctx = canvas.getContext("2d");
  // State the page (and its tests) can read.
  const state = window.hingeLive = {frames: 0, landmarkFrames: 0, updates: 0, repCount: 0, cues: [],
                                    fps: 0, errors: [], model: null, cpu: null, summary: null,
                                    cameraStart: null};
  const EDGES = [[11, 13], [13, 15], [12, 14], [14, 16], [11, 12], [11, 23], [12, 24], [23, 24],
                 [23, 25], [25, 27], [24, 26], [26, 28], [27, 29], [29, 31], [27, 31], [28, 30], [30, 32], [28, 32]];
  let socket = null, setStart = null, lastSpoken = "", cueTimer = null;
  const CUE_SHOWN_MS = 6000;  // a cue belongs to the rep just done; clear it before it goes stale

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

  function connect() {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(proto + "//" + location.host + "/ws/live");
    socket.onmessage = ev => onMessage(JSON.parse(ev.data));
    socket.onclose = () => { $("status").textContent = "Disconnected from the coach; reload the page."; };
    return new Promise(resolve => { socket.onopen = resolve; });
  }

  function onMessage(msg) {
    if (msg.type === "update") return showUpdate(msg);
    if (msg.type === "summary") return showSummary(msg);
    if (msg.type === "error") { state.errors.push(msg.message); }
  }

  function showUpdate(u) {
    state.updates += 1;
    state.repCount = u.rep_count;
    $("rep-count").textContent = String(u.rep_count);
    $("phase").textContent = u.phase;
    $("score").textContent = hc.fmt(u.score);
    mark("g-frame", u.in_frame); mark("g-view", u.view === "side" || u.view === "oblique"); mark("g-ready", u.ready);
    if (u.ready && setStart === null) setStart = performance.now();
    if (u.cue) {
      state.cues.push(u.cue);
      $("cue").textContent = u.cue;
      clearTimeout(cueTimer);
      cueTimer = setTimeout(() => { $("cue").textContent = ""; }, CUE_SHOWN_MS);
      if ($("speak").checked && "speechSynthesis" in window && u.cue !== lastSpoken) {
        speechSynthesis.speak(new SpeechSynthesisUtterance(u.cue));
        lastSpoken = u.cue;
      }
    }
  }

  function mark(id, ok) { $(id).className = ok ? "ok" : "todo"; }

  function showSummary(msg) {
    const r = msg.result, s = r.summary, box = $("summary");
    state.summary = r;
    box.replaceChildren(hc.el("h3", {text: `Set: ${r.rep_count} reps, score ${hc.fmt(r.score)}`}));
    if (s.fix_first) box.append(hc.el("p", {}, hc.el("b", {text: "Fix first: "}), `${s.fix_first.title}. ${s.fix_first.cue}. Drill: ${s.fix_first.drill}`));
    for (const w of s.went_well || []) box.append(hc.el("p", {text: "✓ " + w}));
    for (const w of r.warnings || []) box.append(hc.el("p", {class: "muted", text: "Note: " + w}));
    box.append(hc.el("p", {class: "muted", text: msg.logged_set_id ? "Saved to your log." : "Not saved."}));
    setStart = null;
  }

  function timer() {
    const s = setStart === null ? 0 : Math.floor((performance.now() - setStart) / 1000);
    $("timer").textContent = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
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
    if (socket && socket.readyState === 1 && socket.bufferedAmount < 65536) {
      socket.send(JSON.stringify({type: "frame", t: performance.now(), w: video.videoWidth, h: video.videoHeight,
        lm: lm ? lm.map(p => [p.x, p.y, p.z, p.visibility === undefined ? 1 : p.visibility]) : null}));
    }
  }

  async function start() {
    state.model = params.get("model") === "full" ? "full" : "lite";
    state.cpu = params.has("cpu") ? params.get("cpu") !== "0" : noGpu();
    $("model").textContent = `${state.model}${state.cpu ? " (CPU)" : " (GPU)"}`;
    const pose = new Pose({locateFile: f => "/static/vendor/mediapipe/" + f});
    pose.setOptions({modelComplexity: state.model === "full" ? 1 : 0, smoothLandmarks: true, enableSegmentation: false,
                     minDetectionConfidence: 0.5, minTrackingConfidence: 0.5, useCpuInference: state.cpu});
    pose.onResults(onResults);
    $("status").textContent = "Pose model loading…";
    await pose.initialize();  // before the camera, so no movement is missed while it loads
    await connect();
    video.srcObject = await navigator.mediaDevices.getUserMedia({video: {width: 640, height: 480}, audio: false});
    await video.play();
    state.cameraStart = performance.now();
    let t0 = performance.now(), n0 = 0;
    const step = async () => {
      if (video.readyState >= 2) {
        await pose.send({image: video});
        $("status").textContent = "Coaching. Stand side on, whole body in view.";
      }
      const now = performance.now();
      if (now - t0 > 2000) { state.fps = (state.frames - n0) * 1000 / (now - t0); t0 = now; n0 = state.frames; $("fps").textContent = state.fps.toFixed(1); }
      timer();
      setTimeout(step, 0);  // yield between frames, or the page hangs
    };
    step();
  }

  $("end-set").onclick = () => socket && socket.send(JSON.stringify({type: "end_set", log: $("log").checked}));
  $("new-set").onclick = () => { socket && socket.send(JSON.stringify({type: "start"})); setStart = null; $("cue").textContent = ""; };
  start().catch(err => { state.errors.push(String(err)); $("status").textContent = "Could not start: " + err.message; });
})();
