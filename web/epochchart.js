// The loss per epoch on a data surface: for each enabled optimizer its training loss (solid) and its validation loss
// (dashed, same colour) at the start and after every epoch, as pycore recorded them (pycore.datasets). With early
// stopping, a square where a run stopped (dropped onto the epoch axis) and a ring at its best epoch, the one whose
// parameters are restored when "restore the best epoch" is on. Drag on the chart to scrub.
import { LossChart } from "./losschart.js";
import { el, fmt } from "./svg.js";

const $ = (id) => document.getElementById(id);

// A small line sample for the key: solid, dashed, a stop square or a best-epoch ring.
function sample(kind) {
  const svg = el("svg", { viewBox: "0 0 24 12", class: "es-sample", "aria-hidden": "true" });
  if (kind === "stop") el("rect", { class: "es-stop", x: 8, y: 2, width: 8, height: 8 }, svg);
  else if (kind === "best") el("circle", { class: "es-best", cx: 12, cy: 6, r: 4.5 }, svg);
  else el("path", { class: kind === "val" ? "line val" : "line", d: "M1,6H23" }, svg);
  return svg;
}

function stopTitle(o, es) {
  const n = es.wait === 1 ? "1 epoch" : `${es.wait} epochs`;
  return `${o.name} stopped after epoch ${es.stopped_epoch}: its validation loss had not improved on ` +
    `${fmt(es.best_val_loss, 6)} (epoch ${es.best_epoch}) by more than min_delta = ${fmt(es.min_delta)} for ${n} ` +
    `in a row (patience ${es.patience})`;
}

function bestTitle(o, es) {
  return `${o.name}: best epoch ${es.best_epoch}, validation loss ${fmt(es.best_val_loss, 6)}; ` +
    (es.restored ? `restored best epoch ${es.best_epoch} (◎ on the plot)` : "not restored (restore the best epoch is off)");
}

// S: the app's state; goto(step): move playback.
export function initEpochChart(S, goto) {
  const card = $("epoch-card");
  const perEpoch = () => S.surfaces[S.surface]?.data?.steps_per_epoch ?? 1;
  const chart = new LossChart($("epoch-chart"), $("epoch-axis-note"), (e) => goto(e * perEpoch()), "epoch", "loss");
  const key = Object.assign(document.createElement("p"), { className: "chart-key small", id: "epoch-key" });
  card.append(key);
  let drawnFor = null;       // the enabled optimizers the lines were drawn for

  const enabledNow = () => S.order.filter((k) => S.enabled.has(k)).join();

  function showKey(data, stopping) {
    const items = [["train", `training loss (${data.n} samples)`], ["val", `validation loss (${data.n_val} held out)`]];
    if (stopping) items.push(["stop", "early stop"], ["best", data.early_stopping?.restore_best ? "best epoch, restored" : "best epoch"]);
    key.replaceChildren();
    for (const [kind, text] of items) {
      const item = Object.assign(document.createElement("span"), { className: "chart-key-item" });
      item.append(sample(kind), text);
      key.append(item);
    }
  }

  function set() {
    const data = S.surfaces[S.surface]?.data;
    card.hidden = !data;
    drawnFor = enabledNow();
    if (!data) return;
    const runs = {};
    let epochs = 1;
    for (const [k, r] of Object.entries(S.runs)) {
      if (!r.minibatch) continue;
      runs[k] = { losses: r.minibatch.epoch_losses, val: r.minibatch.val_losses };
      epochs = Math.max(epochs, r.minibatch.epochs);
    }
    chart.measure();
    chart.set(runs, S.meta, S.order, S.enabled, epochs, 0);
    const stopping = S.order.filter((k) => runs[k] && S.enabled.has(k) && S.runs[k].minibatch.early_stopping);
    showKey(data, stopping.length > 0);
    const marks = el("g", { class: "es-marks" }, chart.svg);
    for (const k of chart.x ? stopping : []) {       // (no marks when the chart drew no lines)
      const es = S.runs[k].minibatch.early_stopping, val = S.runs[k].minibatch.val_losses, o = S.meta[k];
      if (es.best_epoch !== null) {
        const [x, y] = chart.point(es.best_epoch, val[es.best_epoch]);
        const ring = el("circle", { class: "es-best", cx: x, cy: y, r: 6, stroke: o.color, "data-key": k }, marks);
        el("title", {}, ring).textContent = bestTitle(o, es);
      }
      if (es.stopped_epoch !== null) {
        const [x, y] = chart.point(es.stopped_epoch, val[es.stopped_epoch]);
        el("line", { class: "es-drop", x1: x, x2: x, y1: y, y2: chart.bottom, stroke: o.color }, marks);
        const stop = el("rect", { class: "es-stop", x: x - 4.5, y: y - 4.5, width: 9, height: 9, fill: o.color, "data-key": k }, marks);
        el("title", {}, stop).textContent = stopTitle(o, es);
      }
    }
    chart.draw(Math.floor(S.step / perEpoch()));
  }

  return {
    update: set,
    // Every frame: the cursor follows playback; toggling an optimizer redraws the lines.
    draw() {
      if (card.hidden) return;
      if (enabledNow() !== drawnFor) set();
      else chart.draw(Math.floor(S.step / perEpoch()));
    },
  };
}
