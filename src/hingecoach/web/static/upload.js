// Upload page: send the file (with progress), poll the analysis job, then show the result:
// the annotated video (with the ghost), a gallery of the reps (a click plays one and says its
// bottom against the ghost), the ghost in words, one table of reps with the faults by name, a
// button to save the set.
"use strict";
(function () {
  const $ = id => document.getElementById(id);
  const MB = 1024 * 1024;
  let config = {levels: [], fault_titles: {}, max_upload_bytes: null};
  const show = (text, value) => { $("stage").textContent = text; $("progress").hidden = false; $("progress").value = value; };

  function busy(on) {
    $("submit").disabled = on; $("file").disabled = on; $("level").disabled = on;
    $("submit").textContent = on ? "Analysing…" : "Analyse";
  }

  // The server refuses files over its limit; say so before sending hundreds of megabytes.
  function tooBig(file) {
    const limit = config.max_upload_bytes;
    if (!limit || file.size <= limit) return null;
    return `This file is ${(file.size / MB).toFixed(1)} MB; the limit is ${Math.floor(limit / MB)} MB. ` +
      "Trim the clip to the set itself (a minute is plenty) or film at a lower resolution.";
  }

  function send(file) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      const query = new URLSearchParams({name: file.name});
      if ($("level").value) query.set("level", $("level").value);
      xhr.open("POST", "/api/upload?" + query);
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.upload.onprogress = e => e.lengthComputable && show("Uploading…", e.loaded / e.total);
      xhr.onload = () => {
        let data = {};
        try { data = JSON.parse(xhr.responseText); } catch (e) { data = {error: "The server sent no JSON."}; }
        xhr.status === 200 ? resolve(data) : reject(new Error(data.error || ("HTTP " + xhr.status)));
      };
      xhr.onerror = () => reject(new Error("The upload failed (connection lost)."));
      xhr.send(file);  // the body is the file itself, streamed
    });
  }

  // One analyser takes the uploads in turn: say where this one is in the line.
  function waiting(ahead) {
    if (ahead === 0) return "Next in line for the analyser…";
    if (ahead > 0) return `Waiting for the analyser: ${ahead} video${ahead > 1 ? "s" : ""} ahead of yours…`;
    return "Waiting for the analyser…";
  }

  async function poll(job) {
    for (;;) {
      const s = await hc.json(`/api/jobs/${job}`);
      if (s.state === "done") return s;
      if (s.state === "error") throw new Error(s.message);
      show(s.state === "queued" ? waiting(s.ahead) : "Finding the body and counting reps (estimate)…", s.progress || 0);
      await new Promise(r => setTimeout(r, 1000));
    }
  }

  function stem(name) { return (name || "video").replace(/\.[^.]+$/, "") || "video"; }

  function saveButton(job, result, level) {
    const box = hc.el("p", {class: "save"});
    const select = hc.el("select", {id: "save-level", "aria-label": "Level to save the set at"});
    hc.fillLevels(select, config, level);
    const button = hc.el("button", {type: "button", id: "save", text: "Save to my log"});
    const said = hc.el("span", {role: "status", class: "muted"});
    button.onclick = async () => {
      button.disabled = true; select.disabled = true;
      said.textContent = "Saving…";
      try {
        const r = await hc.json(`/api/jobs/${job}/log`, {method: "POST", headers: {"Content-Type": "application/json"},
                                                          body: JSON.stringify({level: select.value || null})});
        said.textContent = ` Saved to your log at level ${hc.levelName(config, r.level)}.`;
        button.textContent = "Saved";
      } catch (e) {
        said.textContent = ` Not saved: ${e.message}`;
        button.disabled = false; select.disabled = false;
      }
    };
    if (!result.rep_count) { button.disabled = true; said.textContent = " No rep to save."; }
    box.append(button, " at ", select, said);
    return box;
  }

  function render(job, status, result, fileName) {
    const box = $("result");
    box.replaceChildren();
    const name = status.name || fileName, base = stem(name);
    const head = hc.el("section", {class: "card", "aria-labelledby": "result-title"},
      hc.el("h2", {id: "result-title", text: `${hc.plural(result.rep_count, "rep")} · score ${hc.fmt(result.score)}` +
        (result.pattern ? ` · ${result.pattern}` : "")}),
      hc.el("p", {class: "muted", text: `${name} · level ${hc.levelName(config, status.level || result.level)}`}));
    // The exercise the analysis read (when this version names it): a name, or {name, confidence}.
    const ex = result.exercise, exName = ex && (typeof ex === "string" ? ex : ex.name);
    if (exName) {
      const sure = typeof ex === "object" ? ex.confidence : result.exercise_confidence;
      const source = typeof ex === "object" ? ex.source : result.exercise_source;
      const how = source === "level" ? " (from the level chosen)" : source === "given" ? "" :
        typeof sure === "number" ? ` (recognised, ${Math.round(sure * 100)}% sure)` : "";
      head.append(hc.el("p", {class: "exercise"}, hc.el("b", {text: "Exercise: "}), String(exName).replace(/_/g, " ") + how));
    }
    for (const w of result.warnings || []) head.append(hc.el("p", {class: "note", text: w}));
    const s = result.summary || {}, fix = s.fix_first;
    if (fix) {
      head.append(hc.el("p", {class: "warn"}, hc.el("b", {text: "Fix first: "}), `${fix.title}. ${fix.cue}.`),
                  hc.el("p", {class: "muted", text: `Drill: ${fix.drill}`}));
    }
    for (const w of s.went_well || []) head.append(hc.el("p", {class: "praise", text: "✓ " + w}));
    head.append(saveButton(job, result, status.level || result.level || $("level").value));
    box.append(head);
    const links = hc.el("p", {class: "links"});
    if (status.files.includes("annotated.mp4")) {
      const src = `/api/jobs/${job}/annotated.mp4`;
      const video = hc.el("video", {class: "result-video", id: "result-video", src, controls: true, playsinline: true,
                                    preload: "metadata", "aria-label": `${name} with the skeleton, angles, cues and the ghost drawn over it`});
      box.append(hc.el("section", {class: "card", "aria-label": "Annotated video"}, video,
        hc.el("p", {class: "muted", text: "The violet figure is the ghost: your own proportions doing the exercise's clean hinge, " +
                                          "timed to each of your reps. Where you and the ghost part is what to change."})));
      const reps = gallery(result, video, src);
      if (reps) box.append(reps);
      const ghost = ghostCard(result);
      if (ghost) box.append(ghost);
      links.append(hc.el("a", {href: src, download: `${base}-annotated.mp4`, text: "Download the annotated video"}));
    }
    else {
      const ghost = ghostCard(result);
      if (ghost) box.append(ghost);
    }
    if (status.files.includes("report.html")) {
      links.append(hc.el("a", {href: `/api/jobs/${job}/report.html`, target: "_blank", rel: "noopener",
                               text: "Full report (opens in a new tab)"}));
    }
    links.append(hc.el("a", {href: `/api/jobs/${job}/result.json`, download: `${base}-result.json`, text: "Result as JSON"}));
    const rows = (result.reps || []).map(r => [r.index + (r.partial ? " (partial)" : ""), hc.fmt(r.depth_hip_angle_deg),
      r.pattern || "–", hc.fmt(r.score),
      (r.faults || []).map(f => hc.faultTitle(config, f.code) + (f.severity === "minor" ? " (minor)" : "")).join("; ") || "none"]);
    box.append(hc.el("section", {class: "card", "aria-label": "Reps"}, hc.el("h2", {text: "Rep by rep"}),
      rows.length ? hc.table(["rep", "hip angle at the bottom", "pattern", "score", "faults"], rows) : hc.el("p", {text: "No rep found."}),
      links));
    box.append(checklist(s.checks || [], result.rep_count));
  }

  // Rep gallery: one tile per rep (its bottom frame taken from the annotated video, so the ghost
  // is on it), the best and the worst marked; a click plays that rep, from its start to its end.
  function gallery(result, video, src) {
    const fps = Number(result.fps) || 30;
    const reps = (result.reps || []).filter(r => Number.isFinite(r.start_frame) && Number.isFinite(r.end_frame));
    if (!reps.length) return null;
    const mark = bestAndWorst(reps), words = ghostWords(result);
    const row = hc.el("div", {class: "rep-row"});
    const said = hc.el("p", {id: "rep-words", class: "ghost-words", role: "status"});
    const tiles = reps.map(r => {
      const canvas = hc.el("canvas", {class: "rep-thumb", width: 120, height: 160, "aria-hidden": "true"});
      const tags = mark[r.index] ? [mark[r.index]] : [];
      const faults = (r.faults || []).length;
      const tile = hc.el("button", {type: "button", class: "rep-tile", "data-rep": r.index,
                                    "aria-label": `Play rep ${r.index}`},
        canvas, hc.el("span", {class: "rep-name", text: `Rep ${r.index}`}),
        hc.el("span", {class: "rep-score", text: r.partial ? "partial" : `score ${hc.fmt(r.score)}`}),
        hc.el("span", {class: "rep-faults", text: faults ? hc.plural(faults, "fault") : "clean"}),
        tags.length ? hc.el("span", {class: "rep-tag " + tags[0].split(" ")[0], text: tags[0]}) : "");
      tile.onclick = () => {
        playRep(video, r, fps, tile);
        said.textContent = words[r.index] ? `Rep ${r.index}: ${words[r.index]}` : "";
      };
      row.append(tile);
      return {rep: r, canvas, tile};
    });
    drawThumbs(src, tiles, fps);
    return hc.el("section", {class: "card", id: "gallery", "aria-labelledby": "gallery-title"},
      hc.el("h2", {id: "gallery-title", text: "Rep gallery"}),
      hc.el("p", {class: "muted", text: "Each rep at its bottom, with the ghost. Click one to play it in the video above."}),
      row, said);
  }

  // The best and the worst graded rep (partial reps are not graded): {index: "best" | "worst" | "best & worst"}.
  function bestAndWorst(reps) {
    const graded = reps.filter(r => !r.partial && typeof r.score === "number");
    const best = graded.reduce((b, r) => (!b || r.score > b.score ? r : b), null);
    const worst = graded.reduce((w, r) => (!w || r.score < w.score ? r : w), null);
    const out = {};
    if (worst) out[worst.index] = "worst";
    if (best) out[best.index] = best === worst ? "best & worst" : "best";
    return out;
  }

  // Each rep's bottom against the ghost, in words ({index: sentence}); empty without a ghost.
  function ghostWords(result) {
    const g = result.ghost, out = {};
    for (const r of (g && g.shown && g.reps) || []) out[r.index] = r.words;
    return out;
  }

  // The ghost said in words: what it is (or why there is none), then each rep's bottom against
  // it, the best and the worst rep marked as in the gallery (whose pictures show it drawn).
  function ghostCard(result) {
    const g = result.ghost;
    if (!g) return null;
    const card = hc.el("section", {class: "card", id: "ghost", "aria-labelledby": "ghost-title"},
      hc.el("h2", {id: "ghost-title", text: "You and the ghost at the bottom"}),
      hc.el("p", {class: "muted", id: "ghost-caption", text: g.caption}));
    if (!g.shown) return card;
    const mark = bestAndWorst(result.reps || []);
    const list = hc.el("ul", {class: "ghost-list"});
    for (const r of g.reps || []) {
      const tag = mark[r.index] ? ` (${mark[r.index]})` : "";
      list.append(hc.el("li", {"data-rep": r.index}, hc.el("b", {text: `Rep ${r.index}${tag}: `}), r.words));
    }
    card.append(list);
    return card;
  }

  // Seek the annotated video to the rep's first frame and play to its last, then pause there.
  let stopWatch = null;
  function playRep(video, rep, fps, tile) {
    if (stopWatch) cancelAnimationFrame(stopWatch);
    document.querySelectorAll(".rep-tile[aria-pressed]").forEach(t => t.removeAttribute("aria-pressed"));
    tile.setAttribute("aria-pressed", "true");
    const start = rep.start_frame / fps, end = (rep.end_frame + 1) / fps;
    video.dataset.playingRep = String(rep.index);
    video.dataset.repStart = String(start); video.dataset.repEnd = String(end);
    const watch = () => {
      if (video.currentTime >= end || video.ended) { video.pause(); stopWatch = null; return; }
      stopWatch = requestAnimationFrame(watch);
    };
    const go = () => {
      video.currentTime = start;
      video.play().then(() => { stopWatch = requestAnimationFrame(watch); }).catch(() => {});
    };
    if (video.readyState >= 1) go(); else video.addEventListener("loadedmetadata", go, {once: true});
    video.scrollIntoView({block: "nearest"});
  }

  // Thumbnails from a second, hidden copy of the annotated video, one seek per rep.
  function drawThumbs(src, tiles, fps) {
    const v = hc.el("video", {src, muted: true, playsinline: true, preload: "auto", class: "thumb-source", "aria-hidden": "true"});
    v.muted = true;
    document.body.append(v);
    let k = 0;
    const next = () => {
      if (k >= tiles.length) { v.remove(); return; }
      v.currentTime = (tiles[k].rep.bottom_frame + 0.5) / fps;
    };
    v.addEventListener("seeked", () => {
      const {canvas, tile} = tiles[k];
      const ctx = canvas.getContext("2d");
      const scale = Math.min(canvas.width / v.videoWidth, canvas.height / v.videoHeight);
      const w = v.videoWidth * scale, h = v.videoHeight * scale;
      ctx.fillStyle = "#222"; ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(v, (canvas.width - w) / 2, (canvas.height - h) / 2, w, h);
      tile.classList.add("has-thumb");
      k += 1; next();
    });
    v.addEventListener("loadeddata", next, {once: true});
    v.addEventListener("error", () => v.remove(), {once: true});
  }

  // Every check of the exercise's standard: named (on strong evidence), passed, or not checked
  // with the reason, so the person knows what was and was not looked at.
  function checklist(checks, reps) {
    const card = hc.el("section", {class: "card", id: "checklist", "aria-labelledby": "checklist-title"},
      hc.el("h2", {id: "checklist-title", text: "What was checked"}));
    if (!checks.length) return card;
    const mark = {named: "✗ named", passed: "✓ passed", "not checked": "– not checked"};
    const rows = checks.map(c => [c.title, mark[c.status] || c.status,
      c.reason || (c.reps_named ? `on ${c.reps_named} of ${reps} reps` : "")]);
    card.append(hc.table(["check", "result", "detail"], rows),
      hc.el("p", {class: "muted", text: "A check is named only on strong evidence. Not checked: what this camera view, " +
        "the hands' position or this exercise's standard does not let the coach judge."}));
    return card;
  }

  $("file").onchange = () => {
    const file = $("file").files[0];
    const problem = file && tooBig(file);
    $("error").textContent = problem || "";
    $("submit").disabled = Boolean(problem);
  };

  $("form").onsubmit = async ev => {
    ev.preventDefault();
    $("error").textContent = "";
    $("result").replaceChildren();
    const file = $("file").files[0];
    if (!file) return;
    const problem = tooBig(file);
    if (problem) { $("error").textContent = problem; return; }
    busy(true);
    try {
      const up = await send(file);
      const status = await poll(up.job);
      show("Done.", 1);
      render(up.job, status, await hc.json(`/api/jobs/${up.job}/result.json`), file.name);
    } catch (err) {
      $("progress").hidden = true; $("stage").textContent = "";
      $("error").textContent = err.message;
    } finally {
      busy(false);
    }
  };

  Promise.all([hc.config(), hc.today()]).then(([c, plan]) => {
    config = c;
    if (c.max_upload_bytes) $("limit").textContent = String(Math.floor(c.max_upload_bytes / MB));
    hc.fillLevels($("level"), c, plan && plan.level && plan.level.id);
  });
})();
