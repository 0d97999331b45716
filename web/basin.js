// Basin map: which minimum the chosen optimizer reaches from every start of a grid, computed chunk by chunk,
// coarse to fine, by every worker of the pool (web/engine.js: as many as the browser reports cores), and drawn
// under the contour lines of #plot. A change of surface, optimizer, settings, steps or grid starts a new job
// (generation counter); no worker is asked for another chunk of the old one, and a chunk that arrives late for it
// is dropped. pycore plans the job (pycore.browser.lab.basin_job: chunks sized to take about 0.15 s each).
import { pool } from "./engine.js";
import { el, fmt, hexToRgb } from "./svg.js";

const $ = (id) => document.getElementById(id);
// Minima take these colours by index (the global minimum's share is the headline); no minimum and divergence
// are grey and red.
const PALETTE = ["#1b9e77", "#7570b3", "#e6ab02", "#66a61e", "#e7298a", "#a6761d", "#1f78b4", "#b2df8a",
  "#fb9a99", "#cab2d6", "#fdbf6f", "#8dd3c7"];
const NONE = "#b3bbc7";
const DIVERGED = "#d62728";
const OPACITY = 0.42;
const SUMMARY_SIZE = 25;   // starts per axis for the every-optimizer summary

const SIZES = [25, 50, 100];
const DEFAULT_SIZE = 50;

function colourOf(v) {
  return v === -2 ? DIVERGED : v === -1 ? NONE : PALETTE[v % PALETTE.length];
}

const RGB = new Map();     // "#rrggbb" -> [r, g, b], parsed once per colour rather than once per cell and paint

function rgb(hex) {
  if (!RGB.has(hex)) RGB.set(hex, hexToRgb(hex));
  return RGB.get(hex);
}

// A PNG data URL of the (partial) map: row 0 of `outcomes` is ymin, drawn at the bottom. Until a cell is
// computed it shows the cell of the finished coarser level it lies in.
function image(map) {
  const { nx, ny, outcomes, stride } = map;
  const canvas = document.createElement("canvas");
  canvas.width = nx;
  canvas.height = ny;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(nx, ny);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      let v = outcomes[j * nx + i];
      if (v === null && stride) v = outcomes[(j - (j % stride)) * nx + (i - (i % stride))];
      if (v === null) continue;
      const [r, g, b] = rgb(colourOf(v));
      const o = ((ny - 1 - j) * nx + i) * 4;
      img.data[o] = r; img.data[o + 1] = g; img.data[o + 2] = b; img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
  return canvas.toDataURL();
}

// The map so far from `outcomes` (a code per cell, null until computed): counts and shares among the computed cells.
function tally(head, outcomes, stride) {
  const counts = head.minima.map(() => 0);
  let none = 0, diverged = 0, done = 0;
  for (const v of outcomes) {
    if (v === null) continue;
    done++;
    if (v >= 0) counts[v]++; else if (v === -1) none++; else diverged++;
  }
  const total = done || 1;
  return {
    ...head, outcomes, stride, done, counts, shares: counts.map((c) => c / total),
    global_share: counts.reduce((a, c, i) => a + (head.minima[i].is_global ? c : 0), 0) / total,
    none_share: none / total, diverged_share: diverged / total,
  };
}

// app: { S, spec() }.
export function initBasin(app) {
  const { S } = app;
  const on = $("basin-on"), opt = $("basin-opt"), size = $("basin-size"), status = $("basin-status");
  const err = $("basin-error"), legend = $("basin-legend");
  for (const k of S.order) opt.append(new Option(S.meta[k].name, k));
  opt.value = S.order.includes("adam") ? "adam" : S.order[0];
  for (const n of SIZES) size.append(new Option(`${n} × ${n} starts`, String(n)));
  size.value = String(DEFAULT_SIZE);

  let gen = 0, key = null, map = null, target = null, geo = null, t0 = 0, elapsed = null, first = null, workers = 0;

  function request(k = opt.value, n = Number(size.value)) {
    return {
      surface: app.spec(), optimizer: k, hyperparams: S.settings.values[k], size: n,
      steps: S.steps,
      options: { schedules: S.options?.schedules?.[k] ? { [k]: S.options.schedules[k] } : {},
                 max_grad_norm: S.options?.max_grad_norm ?? null },
    };
  }

  function paint() {
    if (!target) return;
    target.querySelector(".basin")?.remove();
    if (!on.checked || !map || !geo) return;
    const bands = target.querySelector(".bands");
    const node = el("image", {
      class: "basin", href: image(map), x: geo.margin.left, y: geo.margin.top, width: geo.width, height: geo.height,
      preserveAspectRatio: "none", opacity: OPACITY, "clip-path": "url(#plot-clip)",
    });
    bands.after(node);
  }

  function row(colour, label, share, title) {
    const li = document.createElement("li");
    const sw = document.createElement("span");
    sw.className = "basin-sw";
    sw.style.background = colour;
    const text = document.createElement("span");
    text.textContent = label;
    const pct = document.createElement("span");
    pct.className = "num";
    pct.textContent = `${(100 * share).toFixed(1)}%`;
    if (title) li.title = title;
    li.append(sw, text, pct);
    legend.append(li);
  }

  function describe() {
    legend.replaceChildren();
    if (!map) return;
    const name = S.meta[map.optimizer].name;
    const total = map.nx * map.ny;
    const complete = map.done === total;
    const pct = (100 * map.global_share).toFixed(1);
    status.replaceChildren();
    const strong = document.createElement("strong");
    strong.textContent = `${name} reaches the global minimum from ${pct}% of ${complete ? "" : "the "}` +
      `${map.done.toLocaleString("en")} ${complete ? "starts" : `starts computed so far (of ${total.toLocaleString("en")})`}`;
    const data = S.surfaces[S.surface]?.data;
    const settings = [`lr ${fmt(map.hyperparams.lr)}`, map.schedule ? `${map.schedule.name} schedule` : null,
      map.max_grad_norm !== null ? `gradient clipped to norm ${fmt(map.max_grad_norm)}` : null,
      data && data.batch_size < data.n ? "full-batch gradient (a map is deterministic)" : null,
      data?.early_stopping ? "no early stopping (every start takes all its steps)" : null,
      S.options?.noise > 0 ? "no gradient noise (a map is deterministic; the runs on the plot have it)" : null]
      .filter(Boolean).join(", ");
    status.append(strong, complete
      ? ` · ${settings} · ${map.steps} steps · ${map.nx} × ${map.ny} grid${elapsed !== null ? ` · computed in ${(elapsed / 1000).toFixed(1)} s by ${workers} worker${workers > 1 ? "s" : ""}` : ""}`
      : ` · refining${map.stride > 1 ? ` (preview at 1/${map.stride} of the resolution)` : ""}…`);
    status.dataset.complete = String(complete);
    const order = map.minima.map((m, i) => i).filter((i) => map.counts[i] > 0)
      .sort((a, b) => map.counts[b] - map.counts[a]);
    for (const i of order) {
      const m = map.minima[i];
      const found = S.surfaces[S.surface]?.computed ? ", found numerically" : "";
      row(colourOf(i), `${m.is_global ? "global" : "local"} minimum (${fmt(m.x)}, ${fmt(m.y)})${found}`, map.shares[i],
        `f = ${fmt(m.value, 6)}`);
    }
    row(NONE, `no minimum within ${fmt(map.tol)} after ${map.steps} steps`, map.none_share);
    row(DIVERGED, "diverged", map.diverged_share);
  }

  async function compute() {
    const mine = ++gen;
    const asked = performance.now();
    first = null;
    err.hidden = true;
    map = null;
    elapsed = null;
    paint();
    legend.replaceChildren();
    if (!on.checked) { status.textContent = ""; status.dataset.complete = "false"; return; }
    status.textContent = `Computing in the background (${pool.size} workers, one per core)…`;
    status.dataset.complete = "false";
    const job = `map-${mine}`, req = { job, ...request() };
    try {
      const head = await pool.call(0, "basin_job", req);
      if (mine !== gen) return;
      t0 = performance.now();
      const outcomes = new Array(head.nx * head.ny).fill(null);
      const left = {};   // chunks still to come, per stride
      for (const c of head.chunks) left[c.stride] = (left[c.stride] ?? 0) + 1;
      const strides = Object.keys(left).map(Number).sort((a, b) => b - a);
      let painted = false;
      const used = new Set();
      const tasks = head.chunks.map((c) => ({ name: "basin_chunk", args: { job, cells: c.cells }, chunk: c }));
      await pool.map(tasks, (task, codes, lane) => {
        used.add(lane);
        task.chunk.cells.forEach((cell, i) => { outcomes[cell] = codes[i]; });
        left[task.chunk.stride]--;
        let stride = null;     // the finest stride whose chunks, and all coarser ones, are in
        for (const s of strides) { if (left[s]) break; stride = s; }
        map = tally(head, outcomes, stride);
        first ??= performance.now() - asked;
        if (map.done === outcomes.length) elapsed = performance.now() - t0;
        workers = used.size;
        if (!painted) { painted = true; requestAnimationFrame(() => { painted = false; if (mine === gen) { paint(); describe(); } }); }
      }, () => mine !== gen, async (lane) => { if (lane > 0) await pool.call(lane, "basin_job", req); });
      if (mine === gen && map) { paint(); describe(); }
    } catch (e) {
      if (mine !== gen) return;
      err.textContent = e.message;
      err.hidden = false;
      status.textContent = "";
    }
  }

  // ---- the same share for every enabled optimizer, each with its own settings (a coarser grid) ----
  const allButton = $("basin-all"), allNote = $("basin-all-note"), allTable = $("basin-all-table");
  let allGen = 0, allKey = null, allKeys = [], allDone = false;
  const summaryKey = (keys) => JSON.stringify(keys.map((k) => request(k, SUMMARY_SIZE)));
  const pct = (v) => `${(100 * v).toFixed(1)}%`;

  function summaryRow(k, part) {
    let tr = allTable.tBodies[0].querySelector(`tr[data-key="${k}"]`);
    if (!tr) {
      tr = document.createElement("tr");
      tr.dataset.key = k;
      const th = document.createElement("th");
      th.scope = "row";
      th.style.color = S.meta[k].color;
      th.textContent = S.meta[k].name;
      const lr = document.createElement("td");
      lr.textContent = `lr ${fmt(S.settings.values[k].lr)}${S.settings.tuned?.has(k) ? " (tuned)" : S.settings.preset.has(k) ? " (preset)" : ""}`;
      tr.append(th, lr, ...[0, 1, 2].map(() => document.createElement("td")));
      allTable.tBodies[0].append(tr);
    }
    if (!part) {                                   // asked for, not answered yet
      tr.dataset.global = "";
      tr.querySelectorAll("td")[1].textContent = "…";
      return;
    }
    const done = part.done === part.nx * part.ny;
    const cells = tr.querySelectorAll("td");
    cells[1].textContent = pct(part.global_share) + (done ? "" : " …");
    cells[2].textContent = pct(part.none_share);
    cells[3].textContent = pct(part.diverged_share);
    tr.dataset.global = done ? String(part.global_share) : "";
  }

  async function summary() {
    const mine = ++allGen;
    const keys = S.order.filter((k) => S.enabled.has(k));
    allKeys = keys;
    allKey = summaryKey(keys);
    allDone = false;
    allButton.disabled = true;
    allTable.tBodies[0].replaceChildren();
    allTable.hidden = !keys.length;
    allNote.textContent = keys.length
      ? `${SUMMARY_SIZE} × ${SUMMARY_SIZE} starts each, ${S.steps} steps, every optimizer with its current settings…`
      : "Enable at least one optimizer.";
    for (const k of keys) summaryRow(k, null);     // one row per optimizer in legend order, whichever worker ends first
    try {
      const tasks = keys.map((k) => ({ name: "basin_share", args: request(k, SUMMARY_SIZE), key: k }));
      await pool.map(tasks, (task, part) => summaryRow(task.key, { ...part, done: part.nx * part.ny }),
        () => mine !== allGen);
      if (mine !== allGen) return;
      allDone = true;
      allNote.textContent = `${SUMMARY_SIZE} × ${SUMMARY_SIZE} starts each, ${S.steps} steps, every optimizer ` +
        `with its current settings: the share of starts from which it reaches a global minimum.`;
    } catch (e) {
      if (mine !== allGen) return;
      allNote.textContent = `Failed: ${e.message}`;
    } finally {
      if (mine === allGen) allButton.disabled = false;
    }
  }
  allButton.addEventListener("click", summary);

  // Settings changed since the summary was asked for: it no longer describes what is on screen.
  function summaryChanged(note = "The settings changed: compute the shares again.") {
    if (!note) allNote.textContent = "";
    if (allKey === null || (note && summaryKey(allKeys) === allKey)) return;
    allGen++;
    allKey = null;
    allDone = false;
    allTable.hidden = true;
    allTable.tBodies[0].replaceChildren();
    allNote.textContent = note;
    allButton.disabled = !S.ready;
  }

  on.addEventListener("change", () => { key = null; changed(); });
  opt.addEventListener("change", changed);
  size.addEventListener("change", changed);

  // Called after every rerun: a new job only when what the map depends on changed (not the start).
  function changed() {
    summaryChanged();
    const k = on.checked ? JSON.stringify(request()) : "off";
    if (k === key) { if (map) describe(); return; }   // the same map; its status still names the settings now
    key = k;
    compute();
  }

  return {
    changed,
    newSurface: () => summaryChanged(""),
    attach(g, geometry) { target = g; geo = geometry; paint(); },
    state: () => ({
      on: on.checked, optimizer: opt.value, size: Number(size.value), generation: gen,
      map_optimizer: map?.optimizer ?? null, first_chunk_ms: first, done: map?.done ?? 0, total: map ? map.nx * map.ny : 0, complete: !!map && map.done === map.nx * map.ny,
      global_share: map?.global_share ?? null,
      summary: { done: allDone, shares: Object.fromEntries([...allTable.tBodies[0].rows].map((r) => [r.dataset.key, r.dataset.global === "" ? null : Number(r.dataset.global)])) },
      elapsed_ms: elapsed, workers,
    }),
  };
}
