// Today's plan and history: everything arrives as JSON and goes in with textContent.
"use strict";
(function () {
  const $ = id => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";
  let config = {levels: [], fault_titles: {}}, lastData = null;

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
    out.append(hc.el("p", {}, hc.el("a", {class: "button", href: "/live", text: "Start today's sets"})));
    box.replaceChildren(out);
  }

  // Scores in time order, oldest on the left, drawn at the chart's own width so its text
  // stays at 12 px on a phone.
  function chart(sets) {
    const svg = $("chart"), note = $("chart-note");
    const pts = sets.filter(s => s.score !== null && s.score !== undefined);
    svg.replaceChildren();
    if (pts.length < 2) {
      svg.style.display = "none";
      note.textContent = pts.length ? `One set so far: score ${hc.fmt(pts[0].score)} on ${pts[0].day}. The chart starts with the second.`
        : "No scored sets yet.";
      return;
    }
    svg.style.display = "";
    note.textContent = `${pts.length} scored sets, ${pts[0].day} to ${pts[pts.length - 1].day}.`;
    const W = Math.max(240, Math.round(svg.getBoundingClientRect().width || 600)), H = 220, FONT = 12;
    const L = 34, R = 10, T = 10, B = 200;
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    const add = (tag, attrs, text) => {
      const n = document.createElementNS(SVG, tag);
      for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
      if (text !== undefined) n.textContent = text;
      svg.append(n);
      return n;
    };
    const x = i => L + i * (W - L - R) / (pts.length - 1), y = v => B - v * (B - T) / 100;
    for (const v of [0, 50, 100]) {
      add("line", {x1: L, y1: y(v), x2: W - R, y2: y(v), stroke: v ? "#eee" : "#999"});
      add("text", {x: L - 4, y: y(v) + 4, "font-size": FONT, "text-anchor": "end", fill: "#535c6c"}, String(v));
    }
    add("polyline", {points: pts.map((s, i) => `${x(i)},${y(s.score)}`).join(" "), fill: "none", stroke: "#0b6e4f", "stroke-width": 2});
    pts.forEach((s, i) => add("circle", {cx: x(i), cy: y(s.score), r: 3, fill: "#0b6e4f"}));
    add("text", {x: L, y: H - 4, "font-size": FONT, fill: "#535c6c"}, pts[0].day);
    add("text", {x: W - R, y: H - 4, "font-size": FONT, "text-anchor": "end", fill: "#535c6c"}, pts[pts.length - 1].day);
  }

  function bar(label, frac, cls) {
    const pct = frac === null || frac === undefined ? null : Math.round(frac * 100);
    const fill = hc.el("span", {class: "fill " + cls});
    fill.style.width = `${pct || 0}%`;  // CSSOM, not a style attribute: the CSP forbids inline styles
    return hc.el("div", {class: "bar"}, hc.el("span", {text: label}),
      hc.el("span", {class: "track", "aria-hidden": "true"}, fill),
      hc.el("span", {text: pct === null ? "–" : pct + "%"}));
  }

  function trends(list) {
    const box = $("trends");
    if (!list.length) { box.replaceChildren(hc.el("p", {text: "No faults in the last three weeks."})); return; }
    box.replaceChildren(hc.el("p", {class: "muted", text: "Share of reps showing each fault."}),
      hc.el("ul", {class: "bars"}, ...list.map(t => hc.el("li", {},
        hc.el("b", {text: hc.faultTitle(config, t.code)}),
        bar("2 weeks ago", t.then_frac, "then"), bar("this week", t.now_frac, "now")))));
  }

  function deleteButton(s) {
    const label = `${hc.when(s.performed_at)}, ${hc.plural(s.rep_count, "rep")}`;
    const b = hc.el("button", {type: "button", class: "danger", text: "Delete", "aria-label": `Delete the set of ${label}`});
    b.onclick = async () => {
      if (!window.confirm(`Delete the set of ${label}? This cannot be undone.`)) return;
      b.disabled = true;
      try {
        await hc.json(`/api/sets/${s.id}`, {method: "DELETE"});
        $("sets-status").textContent = `Deleted the set of ${label}.`;
        load();
      } catch (e) {
        b.disabled = false;
        $("sets-status").textContent = `Not deleted: ${e.message}`;
      }
    };
    return b;
  }

  function history(data) {
    lastData = data;
    if (!data.available) {
      for (const id of ["sets", "levels", "trends"]) $(id).textContent = data.reason;
      chart([]);
      return;
    }
    chart(data.sets);
    trends(data.fault_trends || []);
    const newest = data.sets.slice().reverse();
    // six narrow columns, so the table fits a phone: the level by number (its name on hover)
    const when = s => { const [day, time] = hc.when(s.performed_at).split(" ");
      return hc.el("span", {}, hc.el("span", {class: "nowrap", text: day}), hc.el("br"),
                  hc.el("span", {class: "muted", text: `${time || ""} ${s.method}`})); };
    const level = s => { const lv = (config.levels || []).find(l => l.id === s.level);
      return hc.el("span", {title: hc.levelName(config, s.level), text: lv ? String(lv.number) : s.level}); };
    $("sets").replaceChildren(newest.length ? hc.table(["when", "level", "reps", "score", "clean", ""],
      newest.map(s => [when(s), level(s), s.rep_count, hc.fmt(s.score),
                       s.clean_rep_rate === null ? "–" : Math.round(s.clean_rep_rate * 100) + "%", deleteButton(s)]))
      : hc.el("p", {text: "No sets logged yet."}));
    $("levels").replaceChildren(data.level_changes.length ? hc.table(["when", "level", "change", "why"],
      data.level_changes.map(c => [hc.when(c.changed_at), hc.levelName(config, c.level), c.kind.replace(/_/g, " "), c.reason || ""]))
      : hc.el("p", {text: "No level changes yet."}));
  }

  function load() {
    return hc.json("/api/history").then(history).catch(e => { $("sets").textContent = e.message; });
  }

  let resizeTimer = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => { if (lastData && lastData.available) chart(lastData.sets); }, 150);
  });
  hc.config().then(c => { config = c; }).finally(() => {
    hc.json("/api/today").then(today).catch(e => { $("today-body").textContent = e.message; });
    load();
  });
})();
