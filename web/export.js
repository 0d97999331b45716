// Downloads: the enabled optimizers' trajectories as CSV or JSON (written by pycore.api_share from the runs
// on screen) and the plot as PNG (the SVG with its computed styles inlined, drawn onto a canvas).

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

// A standalone SVG document of `svg` as drawn: computed styles inline, white background, pixel size set.
export function serializeSvg(svg, scale = 1) {
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
  const [, , w, h] = svg.getAttribute("viewBox").split(/\s+/).map(Number);
  clone.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  clone.setAttribute("width", w * scale);
  clone.setAttribute("height", h * scale);
  clone.removeAttribute("style");
  const bg = document.createElementNS("http://www.w3.org/2000/svg", "rect");
  Object.entries({ x: 0, y: 0, width: w, height: h, fill: "#ffffff" }).forEach(([k, v]) => bg.setAttribute(k, v));
  clone.insertBefore(bg, clone.firstChild);
  return { text: new XMLSerializer().serializeToString(clone), width: w * scale, height: h * scale };
}

export async function svgToPng(svg, scale = 2) {
  const { text, width, height } = serializeSvg(svg, scale);
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
  await img.decode();
  const canvas = Object.assign(document.createElement("canvas"), { width, height });
  canvas.getContext("2d").drawImage(img, 0, 0, width, height);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
}

// app: { S, call, view(), plot }. Wires the three export buttons; `status(text)` reports what happened.
export function initExport({ S, call, view, plot }, status) {
  const enabled = () => S.order.filter((k) => S.enabled.has(k) && S.runs[k]);
  const base = () => `optviz-${S.surface}`;
  const guard = (fn) => async () => {
    if (!enabled().length) { status("Enable at least one optimizer to export its trajectory."); return; }
    try { await fn(); } catch (e) { status(`Export failed: ${e.message}`); }
  };
  const byId = (id) => document.getElementById(id);
  byId("export-csv").addEventListener("click", guard(() => {
    const text = call("export", { kind: "csv", order: enabled(), view: view() });
    download(`${base()}.csv`, new Blob([text], { type: "text/csv" }));
    status(`Saved ${base()}.csv: one row per optimizer per step (${enabled().length} optimizers).`);
  }));
  byId("export-json").addEventListener("click", guard(() => {
    const data = call("export", { kind: "json", order: enabled(), view: view() });
    download(`${base()}.json`, new Blob([JSON.stringify(data)], { type: "application/json" }));
    status(`Saved ${base()}.json: every step of each run and the view settings.`);
  }));
  byId("export-png").addEventListener("click", guard(async () => {
    const blob = await svgToPng(plot);
    download(`${base()}.png`, blob);
    status(`Saved ${base()}.png: the plot at step ${S.step}.`);
  }));
}
