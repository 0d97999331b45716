// How a run ended, as a badge that reads without reading: each of pycore's five outcomes has its own colour and
// symbol (pycore.outcome: global, local, stalled, diverged, budget); the title says why.
import { fmt } from "./svg.js";

const LOOK = {
  global: { symbol: "★", text: "global min" },
  local: { symbol: "●", text: "other min" },
  stalled: { symbol: "‖", text: "stalled" },
  diverged: { symbol: "✕", text: "diverged" },
  budget: { symbol: "…", text: "out of steps" },
};

// Early stopping's record of a run on a data surface (pycore.datasets), or null.
const stopping = (run) => run.minibatch?.early_stopping ?? null;

export function outcomeText(run) {
  const look = LOOK[run.outcome];
  if (run.outcome === "local") return `${look.text}, f = ${fmt(run.final_loss, 4)}`;
  if (run.outcome === "budget" && stopping(run)?.stopped_epoch) return "stopped early";
  return look.text;
}

function outcomeSentence(run) {
  const settled = run.settled_at !== null && run.settled_at !== undefined ? ` Settled from step ${run.settled_at}.` : "";
  const tol = run.tol ? ` (within ${fmt(run.tol)} of it)` : "";
  switch (run.outcome) {
    case "global": return `Ended at a global minimum${tol}.${settled}`;
    case "local": return `Ended at another minimum${tol}, f = ${fmt(run.final_loss, 6)}: not the lowest.${settled}`;
    case "stalled": return `Stalled: ${run.reason}.${settled}`;
    case "diverged": return `Diverged: ${run.reason}`;
    default: return `${stopping(run)?.stopped_epoch ? "Stopped early" : "Out of steps"}: ${run.reason}.`;
  }
}

export function outcomeTitle(run) {
  const r = stopping(run)?.restored;
  return outcomeSentence(run) + (r ? ` Early stopping restored its best epoch, ${r.epoch}: (${fmt(r.point, 6)}).` : "");
}

export function outcomeBadge(run) {
  const b = document.createElement("span");
  b.className = `badge outcome ${run.outcome}`;
  b.dataset.outcome = run.outcome;
  const sym = Object.assign(document.createElement("span"), { className: "sym", textContent: LOOK[run.outcome].symbol });
  sym.setAttribute("aria-hidden", "true");
  b.append(sym, " ", outcomeText(run));
  b.title = outcomeTitle(run);
  return b;
}
