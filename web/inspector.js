// The step inspector: a card next to the hovered or focused dot with pycore's numbers for that step.
import { fmt } from "./svg.js";

function row(table, label, value) {
  const tr = table.insertRow();
  const th = document.createElement("th");
  th.scope = "row";
  th.textContent = label;
  tr.append(th);
  tr.insertCell().textContent = value;
}

// `others`: the optimizer records of every dot under the pointer when several overlap (this one first is shown);
// the card names them all, and a click on the spot cycles through them.
export function renderInspector(card, info, o, others = null) {
  card.replaceChildren();
  card.style.setProperty("--c", o.color);
  if (others && others.length > 1) {
    const here = Object.assign(document.createElement("p"), { className: "here small" });
    here.append(`${others.length} dots here: `);
    others.forEach((r, i) => {
      const n = Object.assign(document.createElement("span"), { textContent: r.name, className: r.key === o.key ? "on" : "" });
      n.style.color = r.color;
      here.append(...(i ? [" · ", n] : [n]));
    });
    here.append(" (click the spot to show the next)");
    card.append(here);
  }
  const h = document.createElement("h3");
  const step = info.step === 0 ? "start" : `step ${info.step}`;
  h.append(o.name, Object.assign(document.createElement("span"), { className: "muted", textContent: step }));
  const table = document.createElement("table");
  row(table, "position θ", fmt(info.position, 6));
  row(table, "loss f(θ)", fmt(info.loss, 6));
  row(table, info.step === 0 ? "gradient at start" : "gradient g used", fmt(info.gradient, 4));
  if (info.update) {
    row(table, "update Δθ", fmt(info.update, 4));
    row(table, "learning rate η", fmt(info.lr));
    row(table, "effective step ‖Δθ‖/‖g‖", fmt(info.effective_lr, 4));
    for (const [name, v] of Object.entries(info.state)) row(table, `state ${name}`, fmt(v, 4));
  }
  const why = document.createElement("p");
  why.className = "why";
  why.textContent = info.text;
  card.append(h, table, why);
  if (info.stopped || info.reason) {
    const r = document.createElement("p");
    r.className = "reason";
    r.textContent = info.outcome === "diverged"
      ? `Diverged, so the run stops here. ${info.reason ?? ""}`
      : `Run ended at step ${info.step}${info.reason ? `: ${info.reason}` : "."}`;
    card.append(r);
  }
}

// Places the card beside `anchor` (a dot) inside `wrap`, flipping sides to stay visible.
export function placeInspector(card, anchor, wrap) {
  const a = anchor.getBoundingClientRect();
  const w = wrap.getBoundingClientRect();
  card.hidden = false;
  const cw = card.offsetWidth, ch = card.offsetHeight;
  let left = a.right - w.left + 14;
  if (left + cw > w.width - 4) left = a.left - w.left - cw - 14;
  let top = a.top - w.top - ch / 2;
  top = Math.max(4, Math.min(top, w.height - ch - 4));
  card.style.left = `${Math.max(4, left)}px`;
  card.style.top = `${top}px`;
}
