// The learning-rate schedule of each optimizer: a picker in its hyperparameter panel (pycore's SCHEDULES
// registry), the schedule's parameters as fields, a small lr-vs-step curve computed by pycore, and a note on
// the legend row. A schedule that sets the lr itself (cyclic, one-cycle) marks the lr control as overridden.
// Every spec goes through pycore (`schedule_curve`) before it takes effect; a bad value shows pycore's message
// next to the fields and changes nothing else.
import { el, fmt } from "./svg.js";
import { attempt } from "./engine.js";

const W = 300, H = 92, M = { left: 44, right: 8, top: 8, bottom: 20 };

function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

// "Cosine annealing (T_max 300)": the schedule and every parameter that is required or not at its default.
export function describe(record, spec) {
  const shown = record.params.filter((p) => p.default === null || !same(spec[p.name], p.default))
    .map((p) => `${p.name} ${fmt(spec[p.name])}`);
  return shown.length ? `${record.name} (${shown.join(", ")})` : record.name;
}

function drawCurve(svg, lrs, step) {
  svg.replaceChildren();
  const n = lrs.length;
  const top = Math.max(...lrs) || 1;    // pycore keeps lrs finite, so the curve's scale is too
  const x = (i) => M.left + ((W - M.left - M.right) * i) / Math.max(1, n - 1);
  // v / top first: it is in [0, 1], where the height times v could overflow (an lr of 1e308 is allowed).
  const y = (v) => H - M.bottom - (H - M.top - M.bottom) * (v / top);
  el("rect", { class: "sched-frame", x: M.left, y: M.top, width: W - M.left - M.right, height: H - M.top - M.bottom }, svg);
  el("path", { class: "sched-line", d: "M" + lrs.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join("L") }, svg);
  const label = (tx, ty, text, anchor) => { el("text", { x: tx, y: ty, "text-anchor": anchor }, svg).textContent = text; };
  label(M.left - 4, M.top + 8, fmt(top, 3), "end");
  label(M.left - 4, H - M.bottom, "0", "end");
  label(M.left, H - 6, "1", "start");
  label(W - M.right, H - 6, `step ${n}`, "end");
  const cursor = el("line", { class: "sched-cursor", y1: M.top, y2: H - M.bottom }, svg);
  return (k) => {  // moves the cursor to playback step k (the lr used by step k; none at the start)
    const on = k >= 1 && k <= n;
    cursor.style.display = on ? "" : "none";
    if (on) { cursor.setAttribute("x1", x(k - 1)); cursor.setAttribute("x2", x(k - 1)); }
  };
}

// app: { S, call, rerun, legend, first: the schedule records }. Returns { panel(key, node, row), refresh(key),
// refreshAll(), step(k) }.
export function initSchedules({ S, call, rerun, legend, first: records }) {
  const byKey = Object.fromEntries(records.map((r) => [r.key, r]));
  const examples = {};  // the normalised example spec of each schedule, to label untouched values as a preset
  const ui = {};
  const notes = {};
  for (const k of S.order) {
    const note = document.createElement("span");
    note.className = "sched-note";
    note.hidden = true;
    legend.rows[k].lr.after(note);
    notes[k] = note;
  }

  // Checks `spec` (typed text as typed) against the current lr and step count; on success it takes effect and
  // everything re-runs. Resolves to pycore's message for a refused value, or null.
  async function apply(key, spec) {
    const { ok: res, error } = await attempt("schedule_curve", { spec, base_lr: S.settings.values[key].lr, steps: S.steps });
    if (error) return error;
    if (res.spec) S.options.schedules[key] = res.spec; else delete S.options.schedules[key];
    await rerun();
    return null;
  }

  // The example spec of a schedule with every default filled in (pycore normalises it once).
  function example(name) {
    if (!(name in examples)) {
      const spec = byKey[name].example;
      examples[name] = name === "constant" ? Promise.resolve(null)
        : call("schedule_curve", { spec, base_lr: 1, steps: 1 }).then((r) => r.spec);
    }
    return examples[name];
  }

  function field(u, key, record, p, value) {
    const id = `sched-${key}-${p.name}`;
    const row = document.createElement("div");
    row.className = "sched-field";
    const lab = Object.assign(document.createElement("label"), { htmlFor: id, textContent: p.name, title: p.doc });
    let input;
    if (p.kind === "choice") {
      input = document.createElement("select");
      for (const c of p.choices) input.append(new Option(c, c));
      input.value = value;
    } else if (p.kind === "bool") {
      input = Object.assign(document.createElement("input"), { type: "checkbox", checked: value });
    } else {
      input = Object.assign(document.createElement("input"), { type: "text", inputMode: "decimal", value: String(value), spellcheck: false });
    }
    input.id = id;
    input.title = `${p.doc}; allowed ${p.interval ?? (p.choices || []).join(", ")}`;
    input.addEventListener("change", async () => {
      const v = p.kind === "bool" ? input.checked : input.value;    // numbers go to pycore as typed
      const msg = await apply(key, { ...S.options.schedules[key], [p.name]: v });
      show(u, msg);
      if (msg && p.kind !== "bool" && p.kind !== "choice") input.value = String(S.options.schedules[key]?.[p.name] ?? "");
      if (!msg) refresh(key);
    });
    row.append(lab, input);
    u.fields.append(row);
  }

  function show(u, msg) {
    u.err.hidden = !msg;
    u.err.textContent = msg || "";
  }

  function panel(key, node, row) {
    const box = document.createElement("fieldset");
    box.className = "sched";
    const legendEl = Object.assign(document.createElement("legend"), { textContent: "Learning-rate schedule" });
    const pick = document.createElement("div");
    pick.className = "sched-field";
    const id = `sched-${key}`;
    const lab = Object.assign(document.createElement("label"), { htmlFor: id, textContent: "schedule" });
    const select = Object.assign(document.createElement("select"), { id });
    for (const r of records) select.append(new Option(r.name, r.key));
    pick.append(lab, select);
    const tag = Object.assign(document.createElement("p"), { className: "small sched-preset" });
    const fields = document.createElement("div");
    fields.className = "sched-fields";
    const err = Object.assign(document.createElement("p"), { className: "error", hidden: true });
    err.setAttribute("role", "alert");
    const overflow = Object.assign(document.createElement("p"), { className: "small sched-overflow", hidden: true });
    const svg = el("svg", { class: "sched-curve", viewBox: `0 0 ${W} ${H}`, role: "img" });
    const torch = Object.assign(document.createElement("p"), { className: "torch small" });
    const summary = Object.assign(document.createElement("p"), { className: "muted small" });
    box.append(legendEl, pick, summary, fields, tag, err, overflow, svg, torch);
    node.append(box);
    const u = { select, fields, err, overflow, svg, torch, tag, summary, row, cursor: null };
    ui[key] = u;
    select.addEventListener("change", async () => {
      const name = select.value;
      const msg = await apply(key, await example(name));
      show(u, msg);
      if (msg) select.value = S.options.schedules[key]?.name ?? "constant";
      refresh(key);
    });
    refresh(key);
  }

  // Redraws what shows `key`'s schedule: the legend note, the lr control's override mark, the panel if open.
  async function refresh(key) {
    const spec = S.options.schedules[key] || null;
    const record = byKey[spec ? spec.name : "constant"];
    const note = notes[key];
    note.hidden = !spec;
    note.textContent = spec ? `${describe(record, spec)}${record.sets_lr ? ", sets the lr" : ""}` : "";
    note.title = spec ? `Learning-rate schedule: ${record.summary}` : "";
    const u = ui[key];
    if (!u) return;
    const lr = u.row.controls?.lr;
    if (lr) {
      const over = !!(spec && record.sets_lr);
      lr.row.classList.toggle("overridden", over);
      for (const input of lr.row.querySelectorAll("input")) input.disabled = over;
      let msg = lr.row.querySelector(".override-note");
      if (over && !msg) {
        msg = Object.assign(document.createElement("p"), { className: "override-note small" });
        lr.row.append(msg);
      }
      if (msg) { msg.hidden = !over; msg.textContent = over ? `Overridden: the ${record.name} schedule sets the lr at every step (the curve below).` : ""; }
    }
    const sig = JSON.stringify([spec, S.settings.values[key].lr, S.steps]);
    if (sig === u.sig) return;  // nothing this panel shows has changed
    u.sig = sig;
    u.select.value = record.key;
    u.summary.textContent = record.summary;
    if (u.shown !== record.key) {  // rebuilt only when the schedule changes, so a field keeps its focus
      u.shown = record.key;
      u.fields.replaceChildren();
      if (spec) for (const p of record.params) field(u, key, record, p, spec[p.name]);
    } else if (spec) {
      for (const p of record.params) {
        const input = u.fields.querySelector(`#sched-${key}-${p.name}`);
        if (p.kind === "bool") input.checked = spec[p.name];
        else if (document.activeElement !== input) input.value = String(spec[p.name]);
      }
    }
    const isExample = spec && same(spec, await example(record.key));
    const { ok: res, error } = await attempt("schedule_curve", { spec, base_lr: S.settings.values[key].lr, steps: S.steps });
    if (u.sig !== sig) return;          // something changed while pycore answered: the newer refresh draws
    u.tag.replaceChildren();
    if (isExample) {
      u.tag.append(Object.assign(document.createElement("span"), { className: "tag", textContent: "preset" }),
        " example values for this schedule (not torch defaults); edit them above.");
    }
    if (error) show(u, error);
    const stop = res?.overflow;
    u.overflow.hidden = !stop;
    u.overflow.textContent = stop ? `From step ${stop} on, this schedule's lr is not a finite number (torch's ` +
      `scheduler computes the same), so the curve stops at step ${stop - 1} and a run that gets there diverges.` : "";
    u.svg.hidden = !res?.lrs.length;
    u.torch.textContent = res ? `≡ ${res.torch}` : "";
    if (res?.lrs.length) {
      u.svg.setAttribute("aria-label", `lr used by steps 1 to ${res.lrs.length}: from ${fmt(res.lrs[0])} to ${fmt(res.lrs[res.lrs.length - 1])}, at most ${fmt(Math.max(...res.lrs))}`);
      u.cursor = drawCurve(u.svg, res.lrs, S.step);
      u.cursor(S.step);
    }
  }

  return {
    panel,
    refresh,
    refreshAll() { for (const k of S.order) refresh(k); },
    step(k) { for (const u of Object.values(ui)) u.cursor?.(k); },
  };
}
