// Upload page: send the file (with progress), poll the analysis job, then show the report.
"use strict";
(function () {
  const $ = id => document.getElementById(id);
  const show = (text, value) => { $("stage").textContent = text; $("progress").hidden = false; $("progress").value = value; };

  function send(file) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/upload");
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

  async function poll(job) {
    for (;;) {
      const s = await hc.json(`/api/jobs/${job}`);
      if (s.state === "done") return s;
      if (s.state === "error") throw new Error(s.message);
      show(s.state === "queued" ? "Waiting for the analyser…" : "Finding the body and counting reps (estimate)…", s.progress || 0);
      await new Promise(r => setTimeout(r, 1000));
    }
  }

  function render(job, status, result) {
    const box = $("result");
    box.replaceChildren();
    const head = hc.el("div", {class: "card"},
      hc.el("h2", {text: `${result.rep_count} reps · score ${hc.fmt(result.score)} · ${result.pattern || "–"}`}));
    for (const w of result.warnings || []) head.append(hc.el("p", {class: "error", text: w}));
    const fix = result.summary && result.summary.fix_first;
    if (fix) head.append(hc.el("p", {}, hc.el("b", {text: "Fix first: "}), `${fix.title}. ${fix.cue}. Drill: ${fix.drill}`));
    box.append(head);
    if (status.files.includes("annotated.mp4")) {
      box.append(hc.el("div", {class: "card"}, hc.el("video", {src: `/api/jobs/${job}/annotated.mp4`, controls: "", width: "100%"})));
    }
    const rows = result.reps.map(r => [r.index, r.partial ? "partial" : "", hc.fmt(r.depth_hip_angle_deg), r.pattern,
      hc.fmt(r.score), r.faults.map(f => f.code).join(", ") || "none"]);
    box.append(hc.el("div", {class: "card"}, hc.table(["rep", "", "bottom hip angle °", "pattern", "score", "faults"], rows)));
    if (status.files.includes("report.html")) {
      box.append(hc.el("div", {class: "card"}, hc.el("iframe", {src: `/api/jobs/${job}/report.html`, sandbox: "", title: "report"})));
    }
    box.append(hc.el("p", {}, hc.el("a", {href: `/api/jobs/${job}/result.json`, text: "result as JSON"})));
  }

  $("form").onsubmit = async ev => {
    ev.preventDefault();
    $("error").textContent = "";
    $("result").replaceChildren();
    const file = $("file").files[0];
    if (!file) return;
    try {
      const up = await send(file);
      const status = await poll(up.job);
      show("Done.", 1);
      render(up.job, status, await hc.json(`/api/jobs/${up.job}/result.json`));
    } catch (err) {
      $("progress").hidden = true; $("stage").textContent = "";
      $("error").textContent = err.message;
    }
  };
})();
