// The legend (one toggle button per optimizer) and each optimizer's hyperparameter panel, built from pycore's
// registry records. Values are checked by pycore (`check`) before they take effect; a bad value shows pycore's
// message next to the control and changes nothing else.
import { fmt, swatch } from "./svg.js";
import { outcomeBadge } from "./outcomes.js";
import { tex } from "./tex.js";

function niceStep(span) {
  const raw = span / 1000;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw);
}

function decimalsOf(step) {
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}

let uid = 0;

// One numeric control: a slider (log-scaled when scale == "log") and a text box; the text box shows the exact
// value in effect. `commit(value)` returns an error message or null.
function numberControl(parent, { id, label, symbol, p, value, commit }) {
  const row = document.createElement("div");
  row.className = "hp-row";
  const lab = document.createElement("label");
  lab.htmlFor = id;
  lab.append(label);
  if (symbol) {
    const s = document.createElement("span");
    s.className = "sym";
    s.setAttribute("aria-hidden", "true");
    tex(s, symbol, { fallback: "" });
    lab.append(s);
  }
  const range = document.createElement("input");
  range.type = "range";
  range.id = id;
  range.setAttribute("aria-label", label);
  const log = p.scale === "log" && p.ui_low > 0;
  const lo = log ? Math.log10(p.ui_low) : p.ui_low;
  const hi = log ? Math.log10(p.ui_high) : p.ui_high;
  const step = log ? 0.01 : niceStep(hi - lo);
  Object.assign(range, { min: lo, max: hi, step });
  const text = document.createElement("input");
  text.type = "text";
  text.inputMode = "decimal";
  text.setAttribute("aria-label", `${label} value`);
  text.spellcheck = false;
  const err = document.createElement("p");
  err.className = "error";
  err.setAttribute("role", "alert");
  err.hidden = true;
  const show = (v) => {
    text.value = String(v);
    range.value = log ? Math.log10(Math.max(v, p.ui_low)) : v;
    range.setAttribute("aria-valuetext", String(v));
  };
  const fromRange = () => (log ? Number((10 ** Number(range.value)).toPrecision(3)) : Number(Number(range.value).toFixed(decimalsOf(step))));
  // pycore checks the value (typed text as typed); a refused one shows why and the box goes back to the value
  // in effect.
  const apply = async (v, source) => {
    const msg = await commit(v);
    err.hidden = !msg;
    err.textContent = msg || "";
    if (!msg) current = typeof v === "string" ? Number(v.trim()) : v;
    if (msg) show(current); else if (source === "range") show(v);
  };
  let current = value;
  range.addEventListener("input", () => apply(fromRange(), "range"));
  text.addEventListener("change", () => apply(text.value, "text"));
  show(value);
  row.append(lab, range, text, err);
  parent.append(row);
  return { set(v) { current = v; show(v); err.hidden = true; }, row, label: lab };
}

function boolControl(parent, { id, label, p, value, commit }) {
  const row = document.createElement("div");
  row.className = "hp-row bool";
  const box = document.createElement("input");
  box.type = "checkbox";
  box.id = id;
  box.checked = value;
  const lab = document.createElement("label");
  lab.htmlFor = id;
  lab.textContent = label;
  lab.title = p.doc;
  const err = document.createElement("p");
  err.className = "error";
  err.setAttribute("role", "alert");
  err.hidden = true;
  box.addEventListener("change", async () => {
    const msg = await commit(box.checked);
    err.hidden = !msg;
    err.textContent = msg || "";
    if (msg) box.checked = !box.checked;
  });
  row.append(box, lab, err);
  parent.append(row);
  return { set(v) { box.checked = v; err.hidden = true; }, row, label: lab };
}

// Builds the panel of one optimizer; `commit(name, value)` returns an error message or null.
function buildPanel(panel, o, valuesOf, commit) {
  const values = valuesOf();
  const intro = document.createElement("p");
  intro.className = "torch";
  intro.textContent = `≡ ${o.torch}`;
  panel.append(intro);
  if (o.summary) {
    const p = document.createElement("p");
    p.className = "summary";
    p.textContent = o.summary;
    panel.append(p);
  }
  if (o.latex) {
    const box = document.createElement("details");
    const title = document.createElement("summary");
    title.textContent = "Update rule (torch semantics)";
    const r = document.createElement("div");
    r.className = "rule";
    tex(r, o.latex);
    box.append(title, r);
    panel.append(box);
  }
  const controls = {};
  for (const p of o.hyperparams) {
    const id = `hp-${o.key}-${p.name}-${++uid}`;
    if (p.kind === "bool") {
      controls[p.name] = boolControl(panel, { id, label: p.name, p, value: values[p.name], commit: (v) => commit(p.name, v) });
    } else if (p.kind === "pair") {
      const symbols = p.symbol.split(",").map((s) => s.trim());
      const parts = [0, 1].map((i) => numberControl(panel, {
        id: `${id}-${i}`, label: `${p.name}[${i}]`, symbol: symbols[i], p, value: values[p.name][i],
        commit: (v) => { const pair = [...valuesOf()[p.name]]; pair[i] = v; return commit(p.name, pair); },
      }));
      controls[p.name] = { set(v) { parts[0].set(v[0]); parts[1].set(v[1]); }, label: parts[0].label };
    } else {
      controls[p.name] = numberControl(panel, { id, label: p.name, symbol: p.symbol, p, value: values[p.name], commit: (v) => commit(p.name, v) });
    }
    controls[p.name].label.title = p.torch === false ? `${p.doc}; default ${fmt(p.default)}`
      : `${p.doc}; torch accepts ${p.interval}; torch default ${fmt(p.default)}`;
    if (p.torch === false) {
      const tag = Object.assign(document.createElement("span"), { className: "tag", textContent: "not in torch" });
      controls[p.name].label.append(" ", tag);
    }
  }
  return controls;
}

const CHEVRON = '<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M4 6l4 4 4-4"/></svg>';

// ul: the legend list. Returns an object the app drives (statuses, values, preset tags).
export function buildLegend(ul, optimizers, settings, { onToggle, onCommit, onPanel }) {
  const rows = {};
  for (const o of optimizers) {
    const li = document.createElement("li");
    li.style.setProperty("--c", o.color);
    li.dataset.key = o.key;
    const head = document.createElement("div");
    head.className = "head";
    const toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "toggle";
    toggle.setAttribute("aria-pressed", "true");
    toggle.setAttribute("aria-label", o.name);
    toggle.dataset.key = o.key;
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = o.name;
    const lr = document.createElement("span");
    lr.className = "lr num";
    toggle.append(swatch(o.marker, o.color), name, lr);
    toggle.addEventListener("click", () => onToggle(o.key));
    const badge = document.createElement("span");
    badge.className = "badge-slot";
    badge.hidden = true;
    const gear = document.createElement("button");
    gear.type = "button";
    gear.className = "gear";
    gear.setAttribute("aria-expanded", "false");
    gear.setAttribute("aria-label", `${o.name} hyperparameters`);
    gear.innerHTML = CHEVRON;
    const panel = document.createElement("div");
    panel.className = "hp";
    panel.id = `hp-${o.key}`;
    panel.hidden = true;
    panel.setAttribute("role", "group");
    panel.setAttribute("aria-label", `${o.name} hyperparameters`);
    gear.setAttribute("aria-controls", panel.id);
    const row = { li, toggle, lr, badge, gear, panel, controls: null, o };
    gear.addEventListener("click", () => {
      const open = gear.getAttribute("aria-expanded") !== "true";
      gear.setAttribute("aria-expanded", String(open));
      if (open && !row.controls) {
        row.controls = buildPanel(panel, o, () => settings.values[o.key], (n, v) => onCommit(o.key, n, v));
        onPanel?.(o.key, panel, row);  // more sections for the panel (the lr schedule, web/schedule.js)
      }
      panel.hidden = !open;
    });
    head.append(toggle, badge, gear);
    li.append(head, panel);
    ul.append(li);
    rows[o.key] = row;
  }
  return {
    rows,
    setPressed(key, on) { rows[key].toggle.setAttribute("aria-pressed", String(on)); },
    // Shows the values in effect (lr on the row; every control in an open panel) and the preset tag.
    showValues(key) {
      const r = rows[key];
      const v = settings.values[key];
      const preset = settings.preset.has(key);
      r.lr.replaceChildren(`lr ${fmt(v.lr)}`);
      const tag = settings.tuned?.has(key) ? "tuned" : preset ? "preset" : null;
      if (tag) { const t = document.createElement("span"); t.className = "tag"; t.textContent = tag; r.lr.append(" ", t); }
      // Every other value that differs from torch's default is on the row too, so no setting in effect hides.
      for (const p of r.o.hyperparams) {
        if (p.name === "lr" || JSON.stringify(v[p.name]) === JSON.stringify(p.default)) continue;
        r.lr.append(` · ${p.kind === "bool" ? `${p.name}=${v[p.name]}` : `${p.name} ${fmt(v[p.name])}`}`);
      }
      if (r.controls) for (const [n, c] of Object.entries(r.controls)) c.set(v[n]);
    },
    // The run's outcome (pycore.outcome) as a badge on the row, or "invalid" with pycore's message.
    setStatus(key, run, error) {
      const b = rows[key].badge;
      b.replaceChildren();
      b.hidden = !(error || run);
      if (error) {
        const bad = Object.assign(document.createElement("span"), { className: "badge error", textContent: "invalid", title: error });
        b.append(bad);
      } else if (run) b.append(outcomeBadge(run));
    },
  };
}
