// The update field on #plot (the "Field" toggle): from each point of a grid over the view, the plain gradient step
// −η∇f (grey) and one optimizer's next update Δθ with the state it holds at the shown step (its colour), drawn
// under the paths and above the contour bands (the thin grey ones over the coloured ones: a grey core shows where
// both are the same step); at the optimizer's own dot, the step it takes next (bold, ringed).
// Every number is pycore's (pycore.browser.field, asked of worker 0); this file only draws.
//
// Scale: one per frame for both fields, pycore's (see pycore.browser.field), stated in the key under the plot. A
// vector of size s is drawn MIN + (MAX − MIN)·(1 + log10(s/T)/D) px long, T = the optimizer's longest step, D =
// pycore's decades. Longer than T: drawn at MAX with a double head; shorter than T/10^D: drawn at MIN ending in a
// dot instead of a head. No size is hidden.
//
// Requests never queue: one is in flight at a time; when it returns, the field of whatever is shown then is asked
// for (the latest wins; while playing, steps in between are skipped). Answers are cached per (race, optimizer,
// step, grid).
import { el, clear, fmt } from "./svg.js";

const $ = (id) => document.getElementById(id);
const MAX_SIDE = 25;     // pycore.browser.field.MAX_SIDE (tests/test_browser_field.py checks they agree)
const CELL = 34;         // px per grid cell aimed at
const FILL = 0.8;        // the longest arrow spans this fraction of a cell
const FLOOR = 0.25;      // the shortest drawn arrow, as a fraction of the longest
const CACHE = 96;
const FIRST_VIEW = 0;    // the race id of web/first_view.json: the worker cannot answer for it until the page has
                         // had it run there too (web/app.js does, once Python is ready)

// Adds to `out` an arrow from (x, y) px along the data vector (vx, vy) (y up), `len` px long, ending in a head, a
// double head (`mark` "long") or a dot (`mark` "short"); a zero vector is a dot at (x, y). Returns [x, y, tip].
function arrow(x, y, vx, vy, len, mark, out) {
  const n = Math.hypot(vx, vy);
  if (n === 0) { out.dots.push([x, y]); return [x, y, x, y]; }
  const ux = vx / n, uy = -vy / n;
  const tx = x + ux * len, ty = y + uy * len;
  const p = (a, b) => `${a.toFixed(1)},${b.toFixed(1)}`;
  out.d.push(`M${p(x, y)}L${p(tx, ty)}`);
  if (mark === "short") { out.dots.push([tx, ty]); return [x, y, tx, ty]; }
  const h = Math.min(5, 0.45 * len), w = 0.55 * h;
  for (const back of mark === "long" ? [0, 0.8 * h] : [0]) {
    const ax = tx - ux * back, ay = ty - uy * back, bx = ax - ux * h, by = ay - uy * h;
    out.d.push(`M${p(bx - uy * w, by + ux * w)}L${p(ax, ay)}L${p(bx + uy * w, by - ux * w)}`);
  }
  return [x, y, tx, ty];
}

const dotPath = (dots, r) => dots.map(([x, y]) => `M${(x - r).toFixed(1)},${y.toFixed(1)}a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0`).join("");

// app: { S, call, PyError }.
export function initField({ S, call, PyError }) {
  const toggle = $("field-toggle"), key = $("field-key"), pick = $("field-opt"), text = $("field-text");
  const items = $("field-items"), scaleBox = $("field-scale"), notes = $("field-notes");
  const cache = new Map();
  let on = false, chosen = null, g = null, geo = null, inFlight = null, drawn = null, shownKeys = "";

  const shown = (k) => S.enabled.has(k) && S.runs[k];
  function wanted() {
    // the inspected optimizer, else the last one shown (the later ones in the legend keep more state than SGD)
    if (!shown(chosen)) chosen = [S.inspecting?.key, ...S.order.filter(shown).reverse()].find(shown) ?? null;
    if (!chosen || !geo) return null;
    const side = (px) => Math.max(2, Math.min(MAX_SIDE, Math.round(px / CELL)));
    const [nx, ny] = [side(geo.width), side(geo.height)];
    return { race_id: S.raceId, key: chosen, step: S.step, nx, ny, id: `${S.raceId}:${chosen}:${S.step}:${nx}x${ny}` };
  }

  function options() {
    const keys = S.order.filter(shown);
    if (keys.join() !== shownKeys) {
      shownKeys = keys.join();
      pick.replaceChildren(...keys.map((k) => new Option(S.meta[k].name, k)));
    }
    pick.value = chosen ?? "";
    pick.style.color = chosen ? S.meta[chosen].color : "";
  }

  async function ask(w) {
    inFlight = w.id;
    let answer;
    try {
      answer = { ok: await call("field", { race_id: w.race_id, key: w.key, step: w.step, nx: w.nx, ny: w.ny }) };
    } catch (e) {               // kept like an answer, so a failing request is not repeated every frame
      if (!(e instanceof PyError)) console.error(e);
      answer = { error: e instanceof PyError ? e.message : `something went wrong: ${e.message}` };
    } finally {
      inFlight = null;
    }
    cache.set(w.id, answer);
    while (cache.size > CACHE) cache.delete(cache.keys().next().value);
    draw();
  }

  function draw() {
    if (!on || !g) return;
    options();
    if (S.raceId === null || S.raceId === FIRST_VIEW) { show(null, "waiting for the runs…"); return; }
    const w = wanted();
    if (!w) { show(null, "turn an optimizer on in the legend to see its field."); return; }
    if (w.id === drawn?.id) return;
    const answer = cache.get(w.id);
    if (answer) { show(w.id, answer.error, answer.ok); return; }
    if (!inFlight) ask(w);
    if (!drawn) text.textContent = "computing…";
  }

  // Draws pycore's field `f` (or only says `message`), remembering it as drawn for request `id`.
  function show(id, message, f = null) {
    clear(g);
    drawn = id === null ? null : { id, f, first: null, px: null };
    for (const box of [items, scaleBox, notes]) box.replaceChildren();
    if (!f) { text.textContent = message ?? ""; return; }
    const o = S.meta[f.optimizer];
    const { top, decades } = f.scale;
    const max = FILL * Math.min(geo.width / f.nx, geo.height / f.ny), min = FLOOR * max;
    drawn.px = { max, min };
    const marks = { long: 0, short: 0 };
    // [px length, mark] of a vector of size s: on the scale, or marked as longer or shorter than it shows
    const length = (s) => {
      const t = 1 + Math.log10(s / top) / decades;
      return t > 1 ? [max, "long"] : t < 0 ? [min, "short"] : [min + (max - min) * t, null];
    };
    const lay = (rows, c, out) => rows.map((r) => {
      const [len, mark] = length(Math.hypot(r[c], r[c + 1]));
      if (mark) marks[mark]++;
      return arrow(geo.x(r[0]), geo.y(r[1]), r[c], r[c + 1], len, mark, out);
    })[0] ?? null;
    const path = (cls, out, r, attrs = {}) => el("path", { class: cls, d: out.d.join("") + dotPath(out.dots, r), ...attrs }, g);
    const grad = { d: [], dots: [] }, upd = { d: [], dots: [] };
    drawn.first = [lay(f.arrows, 2, grad), lay(f.arrows, 4, upd)];
    // the optimizer's arrows first, the thin grey ones over them: where both are the same step, a grey core
    path("field-halo", upd, 1.9);
    path("field-upd", upd, 1.9, { stroke: o.color, fill: o.color });
    path("field-grad", grad, 1.3);
    if (f.here) {
      const here = { d: [], dots: [] };
      el("circle", { class: "field-ring", cx: geo.x(f.here[0]).toFixed(1), cy: geo.y(f.here[1]).toFixed(1), r: 11, stroke: o.color }, g);
      lay([f.here], 4, here);
      path("field-here-halo", here, 2.6);
      path("field-here", here, 2.6, { stroke: o.color, fill: o.color });
    }
    describe(f, (s) => length(s)[0] / max, marks);
  }

  // A small arrow for the key: `rel` of the full length, ending as `mark` ends it, in `colour` (grey if none).
  function icon(rel, mark = null, colour = null) {
    const svg = el("svg", { class: "field-icon", viewBox: "0 0 30 12", "aria-hidden": "true" });
    const out = { d: [], dots: [] };
    arrow(1.5, 6, 1, 0, 27 * rel, mark, out);
    const path = el("path", { d: out.d.join("") + dotPath(out.dots, 1.9) }, svg);
    if (colour) Object.assign(path.style, { stroke: colour, fill: colour });
    return svg;
  }

  // The key under the plot: what is drawn, for which optimizer and step, and the scale with pycore's numbers.
  // `rel(s)`: the drawn length of size s as a fraction of the longest; `marks`: how many arrows are marked.
  function describe(f, rel, marks) {
    const o = S.meta[f.optimizer];
    text.textContent = `${f.step === 0 ? "at the start" : `at step ${f.step}`}: what its step ${f.next} would do ` +
      "from each point" + (f.requested !== f.step ? ` (its run ended at step ${f.step})` : "");
    const item = (svg, words) => {
      const li = document.createElement("li");
      li.append(svg, words);
      items.append(li);
    };
    item(icon(0.8, null, o.color), `${o.name}'s step from there, with the state it holds now (bold and ringed: ` +
      "from its own dot)");
    item(icon(0.8), `the plain gradient step −η∇f there, with the same η = ${fmt(f.lr)}`);
    const s = f.scale;
    if (!s.marks.length) { scaleBox.textContent = "Every arrow is zero here."; return; }
    scaleBox.append("Length on a log scale: ");
    for (const m of s.marks) {
      const cell = document.createElement("span");
      cell.className = "field-mark";
      cell.append(icon(rel(m)), fmt(m, 3));
      scaleBox.append(cell, " ");
    }
    if (marks.long) {
      let d = 3;                 // as many digits as tell the two numbers apart
      while (d < 8 && fmt(s.top, d) === fmt(s.longest_gradient_step, d)) d++;
      scaleBox.append(icon(1, "long"), ` longer than ${fmt(s.top, d)} (gradient steps up to ${fmt(s.longest_gradient_step, d)}) `);
    }
    if (marks.short) scaleBox.append(icon(FLOOR, "short"), ` shorter than ${fmt(s.floor, 3)}`);
    const unseen = f.ignored.map((n) => `${n[0].toUpperCase()}${n.slice(1)} ${n.endsWith("s") ? "are" : "is"} not ` +
      "in the field: it uses the exact ∇f, so at the dot its arrow can differ from the step the run took.");
    for (const line of [...f.left_out, ...unseen]) {
      const p = document.createElement("p");
      p.textContent = line;
      notes.append(p);
    }
  }

  function setOn(value) {
    on = value;
    toggle.setAttribute("aria-pressed", String(on));
    key.hidden = !on;
    drawn = null;
    if (g) clear(g);
    draw();
  }

  toggle.addEventListener("click", () => setOn(!on));
  pick.addEventListener("change", () => { chosen = pick.value; draw(); });

  return {
    // After layout(): the layer to draw into (under the paths) and the plot's geometry.
    attach(layer, geometry) { g = layer; geo = geometry; drawn = null; draw(); },
    draw,
    // The inspector opened on `k`: the field follows it.
    follow(k) { if (chosen !== k) { chosen = k; draw(); } },
    // For tests: what is asked for and what is drawn (pycore's answer; the first grid arrow of each field in px,
    // [x, y, tip x, tip y]; the longest and shortest arrow lengths in px).
    state: () => ({ on, chosen, wanted: wanted(), inFlight, drawn: drawn && { id: drawn.id, field: drawn.f, first: drawn.first, px: drawn.px } }),
  };
}
