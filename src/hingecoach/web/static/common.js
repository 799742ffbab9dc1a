// Small helpers shared by the pages. Text always goes in with textContent (no HTML parsing),
// so nothing a user or a file supplies is ever parsed as HTML.
"use strict";
const hc = {
  el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "text") node.textContent = v;
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    return node;
  },
  async json(url, options) {
    const response = await fetch(url, Object.assign({credentials: "same-origin"}, options || {}));
    const data = await response.json().catch(() => ({error: "The server sent no JSON."}));
    if (!response.ok) throw new Error(data.error || ("HTTP " + response.status));
    return data;
  },
  fmt(value, digits = 0) {
    return value === null || value === undefined ? "–" : Number(value).toFixed(digits);
  },
  // "1 rep", "2 reps"
  plural(n, word, many) {
    return `${n} ${Number(n) === 1 ? word : (many || word + "s")}`;
  },
  // Stored times are UTC text "YYYY-MM-DD HH:MM:SS.ffffff": shown as local "YYYY-MM-DD HH:MM".
  when(text) {
    if (!text) return "–";
    const m = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d(:\d\d)?)/.exec(String(text));
    if (!m) return String(text);
    const d = new Date(`${m[1]}T${m[2].length === 5 ? m[2] + ":00" : m[2]}Z`);
    if (isNaN(d)) return `${m[1]} ${m[2].slice(0, 5)}`;
    const p = n => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
  },
  table(headers, rows) {
    const head = hc.el("tr", {}, ...headers.map(h => hc.el("th", {scope: "col", text: h})));
    const body = rows.map(r => hc.el("tr", {}, ...r.map(c => hc.el("td", {}, c instanceof Node ? c : String(c)))));
    return hc.el("div", {class: "table-wrap"}, hc.el("table", {}, hc.el("thead", {}, head), hc.el("tbody", {}, ...body)));
  },
  // The server's limits, levels and fault titles (one request per page).
  config() {
    if (!hc._config) {
      hc._config = hc.json("/api/config").catch(() => ({levels: [], fault_titles: {}, max_upload_bytes: null}));
    }
    return hc._config;
  },
  faultTitle(config, code) {
    return (config.fault_titles && config.fault_titles[code]) || String(code).replace(/_/g, " ");
  },
  levelName(config, id) {
    const lv = (config.levels || []).find(l => l.id === id);
    return lv ? `${lv.number} · ${lv.name}` : (id || "–");
  },
  // Fill a <select> with the program's levels, ``chosen`` selected.
  fillLevels(select, config, chosen) {
    select.replaceChildren(...(config.levels || []).map(lv =>
      hc.el("option", {value: lv.id, text: `Level ${lv.number}: ${lv.name}`})));
    if (chosen && (config.levels || []).some(l => l.id === chosen)) select.value = chosen;
  },
  // Today's plan, or null when the program or the log is not available.
  async today() {
    try {
      const data = await hc.json("/api/today");
      return data.available ? data.plan : null;
    } catch (e) { return null; }
  },
};
