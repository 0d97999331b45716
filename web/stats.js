// The per-run statistics table under the plot, synced with the playback step: each shown optimizer's outcome,
// the step it settled at, f now and at the end, the distance to the nearest minimum now and at the end, the path
// length so far and in all, and the mean step length. Sortable by any column (click its header).
//
// The final figures are pycore's (pycore.browser.runs.record); the "now" columns read the same points and losses
// at the current step (a browser test checks that at the last step they equal pycore's final figures).
import { fmt } from "./svg.js";
import { outcomeBadge } from "./outcomes.js";

const COLUMNS = [
  { key: "name", label: "Optimizer" },
  { key: "outcome", label: "Outcome", title: "how the run ended (pycore.outcome)" },
  { key: "settled", label: "Settled", num: true, title: "the step from which the path stayed within the tolerance of its end" },
  { key: "f", label: "f now", num: true, title: "the loss at the current step" },
  { key: "fFinal", label: "f end", num: true, title: "the loss at the last step" },
  { key: "dist", label: "To min now", num: true, title: "distance to the nearest minimum at the current step" },
  { key: "distFinal", label: "To min end", num: true, title: "distance to the nearest minimum at the last step" },
  { key: "path", label: "Path now", num: true, title: "length of the path so far, Σ‖Δθ‖" },
  { key: "pathFinal", label: "Path end", num: true, title: "length of the whole path" },
  { key: "mean", label: "Mean step", num: true, title: "path length divided by the steps taken" },
];
const OUTCOME_ORDER = { global: 0, local: 1, stalled: 2, budget: 3, diverged: 4 };

function nearest(minima, [x, y]) {
  let best = Infinity;
  for (const m of minima) best = Math.min(best, Math.hypot(m.x - x, m.y - y));
  return Number.isFinite(best) ? best : null;
}

export class StatsTable {
  constructor(table, { onSort }) {
    this.table = table;
    this.sort = { key: "name", dir: 1 };
    this.rows = [];
    const head = table.createTHead().insertRow();
    for (const c of COLUMNS) {
      const th = document.createElement("th");
      th.scope = "col";
      const b = Object.assign(document.createElement("button"), { type: "button", className: "sort", textContent: c.label, title: c.title ?? "" });
      b.addEventListener("click", () => {
        this.sort = { key: c.key, dir: this.sort.key === c.key ? -this.sort.dir : 1 };
        onSort();
      });
      th.append(b);
      if (c.num) th.className = "num";
      head.append(th);
    }
    this.body = table.createTBody();
  }

  // runs: {key: run (points, losses, outcome, settled_at, path_length, mean_step, final_loss, final_distance)}.
  set(runs, meta, order, enabled, surface) {
    this.rows = [];
    for (const key of order) {
      const run = runs[key];
      if (!run || !enabled.has(key)) continue;
      const cum = new Float64Array(run.points.length);
      for (let i = 1; i < run.points.length; i++) {
        const [a, b] = run.points[i - 1], [c, d] = run.points[i];
        cum[i] = cum[i - 1] + Math.hypot(c - a, d - b);
      }
      this.rows.push({ key, o: meta[key], run, cum, minima: surface.minima });
    }
  }

  draw(step) {
    const vals = this.rows.map((r) => {
      const i = Math.min(step, r.run.points.length - 1);
      return {
        r, name: r.o.name, outcome: OUTCOME_ORDER[r.run.outcome], settled: r.run.settled_at,
        f: r.run.losses[i], fFinal: r.run.final_loss, dist: nearest(r.minima, r.run.points[i]),
        distFinal: r.run.final_distance, path: r.cum[i], pathFinal: r.run.path_length, mean: r.run.mean_step,
      };
    });
    const { key, dir } = this.sort;
    vals.sort((a, b) => {
      const x = a[key], y = b[key];
      if (x === y) return 0;
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      return (x < y ? -1 : 1) * dir;
    });
    for (const th of this.table.tHead.rows[0].cells) th.removeAttribute("aria-sort");
    const col = COLUMNS.findIndex((c) => c.key === key);
    this.table.tHead.rows[0].cells[col].setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
    const out = vals.map((v) => {
      const tr = document.createElement("tr");
      tr.dataset.key = v.r.key;
      const th = Object.assign(document.createElement("th"), { scope: "row", textContent: v.name });
      th.style.setProperty("--c", v.r.o.color);
      tr.append(th);
      const td = tr.insertCell();
      td.append(outcomeBadge(v.r.run));
      for (const c of COLUMNS.slice(2)) {
        const cell = tr.insertCell();
        cell.className = "num";
        cell.textContent = v[c.key] === null || v[c.key] === undefined ? "–" : c.key === "settled" ? String(v[c.key]) : fmt(v[c.key], 4);
      }
      return tr;
    });
    this.body.replaceChildren(...out);
    this.table.hidden = !out.length;
  }
}
