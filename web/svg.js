// Small view helpers shared by the page's renderers: SVG elements, marker shapes, number formatting.
// The SVG namespace, as the HTML parser assigned it to the page's own <svg> (an identifier, not a URL to load).
export const SVG_NS = document.querySelector("svg").namespaceURI;

export function el(name, attrs = {}, parent = null) {
  const node = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (parent) parent.appendChild(node);
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

// Marker shapes are pycore's (pycore.markers, through the catalog): closed polygons in a unit box, y up.
let SHAPES = {};
export function setMarkers(shapes) { SHAPES = shapes; }

// An SVG path for a marker of pycore's catalog, centred on 0, about 2r across (y flipped for SVG).
export function markerPath(shape, r) {
  const pts = SHAPES[shape] ?? SHAPES.circle ?? [[1, 0], [0, 1], [-1, 0], [0, -1]];
  return "M" + pts.map(([x, y]) => `${(x * r).toFixed(2)},${(-y * r).toFixed(2)}`).join("L") + "Z";
}

// A marker as a small inline SVG (legend swatches).
export function swatch(shape, color) {
  const svg = el("svg", { viewBox: "-9 -9 18 18", "aria-hidden": "true", class: "sw" });
  el("path", { d: markerPath(shape, 6.5), fill: color }, svg);
  return svg;
}

// Numbers for people: 3-4 significant digits, exponent form when very small or large.
export function fmt(v, digits = 4) {
  if (v === null || v === undefined) return "–";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (Array.isArray(v)) return `(${v.map((x) => fmt(x, digits)).join(", ")})`;
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return Number(v.toPrecision(digits)).toExponential().replace("e+", "e");
  return String(Number(v.toPrecision(digits)));
}

// A linear map [d0, d1] -> [r0, r1].
export function linear(d0, d1, r0, r1) {
  const k = (r1 - r0) / (d1 - d0);
  const f = (v) => r0 + (v - d0) * k;
  f.invert = (p) => d0 + (p - r0) / k;
  return f;
}

// "#rrggbb" -> [r, g, b] (0–255).
export function hexToRgb(hex) {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
}
