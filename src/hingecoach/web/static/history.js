// Today's plan and history: everything arrives as JSON and goes in with textContent.
"use strict";
(function () {
  const $ = id => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";

  function today(data) {
    const box = $("today-body");
    if (!data.available) { box.textContent = data.reason; return; }
    const p = data.plan, lvl = p.level || {};
    const out = hc.el("div");
    out.append(hc.el("p", {}, hc.el("b", {text: `Level ${lvl.number}: ${lvl.name}`})));
    if (p.rest_day) out.append(hc.el("p", {text: "Rest day. " + (p.rest_reason || "")}));
    else out.append(hc.el("p", {text: `${p.sets} sets × ${p.reps} reps (done today: ${p.sets_done_today})`}));
    if (p.wall_distance_cm) out.append(hc.el("p", {text: `Wall distance: ${hc.fmt(p.wall_distance_cm)} cm`}));
    if (p.focus_cue) out.append(hc.el("p", {}, hc.el("b", {text: "Focus: "}), p.focus_cue));
    for (const s of lvl.setup || []) out.append(hc.el("p", {class: "muted", text: s}));
    for (const line of p.timeline_text || []) out.append(hc.el("p", {class: "muted", text: line}));
    const checks = (p.status && p.status.checks) || [];
    if (checks.length) {
      out.append(hc.el("p", {text: p.status.mastered ? "Level mastered: ready to move on." : "To master this level:"}));
      out.append(hc.table(["check", "you", "needed"], checks.map(c => [(c.ok ? "✓ " : "✗ ") + c.name, c.have, c.need])));
    }
    box.replaceChildren(out);
  }

  function chart(sets) {
    const svg = $("chart"), pts = sets.filter(s => s.score !== null).slice().reverse();
    svg.replaceChildren();
    const line = (x1, y1, x2, y2, color) => {
      const l = document.createElementNS(SVG, "line");
      for (const [k, v] of Object.entries({x1, y1, x2, y2, stroke: color})) l.setAttribute(k, v);
      svg.append(l);
    };
    line(40, 200, 590, 200, "#999"); line(40, 10, 40, 200, "#999");
    const text = (x, y, s) => { const t = document.createElementNS(SVG, "text"); t.setAttribute("x", x); t.setAttribute("y", y); t.setAttribute("font-size", "11"); t.textContent = s; svg.append(t); };
    text(5, 14, "100"); text(15, 203, "0");
    if (!pts.length) { text(200, 110, "No scored sets yet."); return; }
    const x = i => 40 + (pts.length === 1 ? 275 : i * 550 / (pts.length - 1)), y = v => 200 - v * 1.9;
    const path = document.createElementNS(SVG, "polyline");
    path.setAttribute("points", pts.map((s, i) => `${x(i)},${y(s.score)}`).join(" "));
    path.setAttribute("fill", "none"); path.setAttribute("stroke", "#0b6e4f"); path.setAttribute("stroke-width", "2");
    svg.append(path);
    text(40, 215, pts[0].day); text(520, 215, pts[pts.length - 1].day);
  }

  function history(data) {
    if (!data.available) { $("sets").textContent = data.reason; $("levels").textContent = data.reason; chart([]); return; }
    chart(data.sets);
    $("sets").replaceChildren(data.sets.length ? hc.table(["day", "level", "method", "reps", "score", "clean reps"],
      data.sets.map(s => [s.day, s.level, s.method, s.rep_count, hc.fmt(s.score),
                          s.clean_rep_rate === null ? "–" : Math.round(s.clean_rep_rate * 100) + "%"])) : hc.el("p", {text: "No sets logged yet."}));
    $("levels").replaceChildren(data.level_changes.length ? hc.table(["when", "level", "change", "why"],
      data.level_changes.map(c => [c.changed_at, c.level, c.kind, c.reason || ""])) : hc.el("p", {text: "No level changes yet."}));
  }

  hc.json("/api/today").then(today).catch(e => { $("today-body").textContent = e.message; });
  hc.json("/api/history").then(history).catch(e => { $("sets").textContent = e.message; });
})();
