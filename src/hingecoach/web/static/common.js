// Small helpers shared by the pages. Text always goes in with textContent (no HTML parsing),
// so nothing a user or a file supplies is ever parsed as HTML.
"use strict";
const hc = {
  el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "text") node.textContent = v;
      else node.setAttribute(k, v);
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
  table(headers, rows) {
    const head = hc.el("tr", {}, ...headers.map(h => hc.el("th", {text: h})));
    const body = rows.map(r => hc.el("tr", {}, ...r.map(c => hc.el("td", {text: c}))));
    return hc.el("table", {}, hc.el("thead", {}, head), hc.el("tbody", {}, ...body));
  },
};
