// Downloads: the enabled optimizers' trajectories as CSV or JSON and the statistics table as CSV (written by
// pycore.browser.share from the runs on screen, in the worker) and the plot as PNG (the SVG with its computed styles inlined, drawn onto a canvas, with a key
// below it: each shown optimizer's marker and settings, and the view's settings).
import { el, markerPath, SVG_NS } from "./svg.js";
import { outcomeText } from "./outcomes.js";

const KEY_LINE = 18;

// Presentation properties the plot's CSS sets; copied inline so the image looks like the page.
const STYLE_PROPS = ["fill", "fill-opacity", "stroke", "stroke-width", "stroke-opacity", "stroke-linejoin",
  "stroke-linecap", "stroke-dasharray", "opacity", "display", "visibility", "font-family", "font-size",
  "font-style", "font-weight", "text-anchor", "dominant-baseline", "shape-rendering"];

export function download(name, blob) {
  const url = URL.createObjectURL(blob);
  const a = Object.assign(document.createElement("a"), { href: url, download: name });
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// Adds `lines` ([{text, color?, marker?}]) under the drawing, which is `w` × `h`; returns the new height.
function appendKey(clone, lines, w, h) {
  const g = el("g", { transform: `translate(0,${h + 6})` }, clone);
  lines.forEach((line, i) => {
    const y = (i + 1) * KEY_LINE;
    if (line.marker) el("path", { d: markerPath(line.marker, 5.5), fill: line.color, stroke: "#ffffff", transform: `translate(22,${y - 4})` }, g);
    el("text", { x: line.marker ? 34 : 16, y, style: "font-family:system-ui,sans-serif;font-size:12px;fill:#1d2430" }, g).textContent = line.text;
  });
  return h + 6 + (lines.length + 0.6) * KEY_LINE;
}

// A standalone SVG document of `svg` as drawn: computed styles inline, white background, pixel size set,
// and `key` lines (see appendKey) under it.
export function serializeSvg(svg, scale = 1, key = []) {
  const clone = svg.cloneNode(true);
  const src = [svg, ...svg.querySelectorAll("*")];
  const dst = [clone, ...clone.querySelectorAll("*")];
  src.forEach((node, i) => {
    const cs = getComputedStyle(node);
    const style = STYLE_PROPS.map((p) => `${p}:${cs.getPropertyValue(p)}`).join(";");
    dst[i].setAttribute("style", style);
    dst[i].removeAttribute("class");
    dst[i].removeAttribute("tabindex");
  });
  const [, , w, h0] = svg.getAttribute("viewBox").split(/\s+/).map(Number);
  const h = key.length ? appendKey(clone, key, w, h0) : h0;
  clone.setAttribute("viewBox", `0 0 ${w} ${h}`);
  clone.setAttribute("xmlns", SVG_NS);
  clone.setAttribute("width", w * scale);
  clone.setAttribute("height", h * scale);
  clone.removeAttribute("style");
  clone.insertBefore(el("rect", { x: 0, y: 0, width: w, height: h, fill: "#ffffff" }), clone.firstChild);
  return { text: new XMLSerializer().serializeToString(clone), width: w * scale, height: h * scale };
}

export async function svgToPng(svg, scale = 2, key = []) {
  const { text, width, height } = serializeSvg(svg, scale, key);
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
  await img.decode();
  const canvas = Object.assign(document.createElement("canvas"), { width, height });
  canvas.getContext("2d").drawImage(img, 0, 0, width, height);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
}

// The PNG's key: the view, then one line per shown optimizer with what its legend row says.
function keyLines(S, legend) {
  const name = S.surfaces[S.surface]?.name ?? S.surface;
  const notes = [...document.querySelectorAll("#run-notes .run-badge")].map((b) => b.textContent);
  const lines = [{ text: `optviz · ${name} · start (${S.start.map((v) => Number(v.toPrecision(6))).join(", ")}) · step ${S.step} of ${S.steps}` }];
  for (const n of notes) lines.push({ text: n });
  for (const k of S.order) {
    const run = S.runs[k];
    if (!S.enabled.has(k) || !run) continue;
    const row = legend.rows[k];
    const sched = row.li.querySelector(".sched-note");
    const parts = [row.lr.textContent, sched && !sched.hidden ? sched.textContent : "", outcomeText(run)];
    lines.push({ text: `${S.meta[k].name}: ${parts.filter(Boolean).join(" · ")}`, color: S.meta[k].color, marker: S.meta[k].marker });
  }
  return lines;
}

// app: { S, call, view(), plot, legend }. Wires the three export buttons; `status(text)` reports what happened.
export function initExport({ S, call, view, plot, legend }, status) {
  const enabled = () => S.order.filter((k) => S.enabled.has(k) && S.runs[k]);
  const base = () => `optviz-${S.surface}`;
  const guard = (fn) => async () => {
    if (!enabled().length) { status("Enable at least one optimizer to export its trajectory."); return; }
    try { await fn(); } catch (e) { status(`Export failed: ${e.message}`); }
  };
  const byId = (id) => document.getElementById(id);
  const ask = (kind) => call("export", { race_id: S.raceId, kind, order: enabled(), view: view() });
  byId("export-csv").addEventListener("click", guard(async () => {
    download(`${base()}.csv`, new Blob([await ask("csv")], { type: "text/csv" }));
    status(`Saved ${base()}.csv: one row per optimizer per step (${enabled().length} optimizers).`);
  }));
  byId("export-stats").addEventListener("click", guard(async () => {
    download(`${base()}-stats.csv`, new Blob([await ask("stats")], { type: "text/csv" }));
    status(`Saved ${base()}-stats.csv: the statistics table, one row per optimizer.`);
  }));
  byId("export-json").addEventListener("click", guard(async () => {
    download(`${base()}.json`, new Blob([JSON.stringify(await ask("json"))], { type: "application/json" }));
    status(`Saved ${base()}.json: every step of each run, its statistics and the view settings.`);
  }));
  byId("export-png").addEventListener("click", guard(async () => {
    const blob = await svgToPng(plot, 2, keyLines(S, legend));
    download(`${base()}.png`, blob);
    status(`Saved ${base()}.png: the plot at step ${S.step}.`);
  }));
}
