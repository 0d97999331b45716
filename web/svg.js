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

function polygon(n, r, rotate = -Math.PI / 2, inner = null) {
  const pts = [];
  const count = inner ? 2 * n : n;
  for (let i = 0; i < count; i++) {
    const a = rotate + (i * 2 * Math.PI) / count;
    const rr = inner && i % 2 ? inner : r;
    pts.push(`${(rr * Math.cos(a)).toFixed(2)},${(rr * Math.sin(a)).toFixed(2)}`);
  }
  return `M${pts.join("L")}Z`;
}

// An SVG path for each marker name of pycore's registry, centred on 0, about 2r across.
export function markerPath(shape, r) {
  const s = r * 0.88;
  const t = r * 0.38;
  switch (shape) {
    case "square": return `M${-s},${-s}H${s}V${s}H${-s}Z`;
    case "triangle-up": return polygon(3, r * 1.2, -Math.PI / 2);
    case "triangle-down": return polygon(3, r * 1.2, Math.PI / 2);
    case "triangle-left": return polygon(3, r * 1.2, Math.PI);
    case "triangle-right": return polygon(3, r * 1.2, 0);
    case "diamond": return polygon(4, r * 1.2, -Math.PI / 2);
    case "pentagon": return polygon(5, r * 1.08);
    case "hexagon": return polygon(6, r * 1.05);
    case "star": return polygon(5, r * 1.3, -Math.PI / 2, r * 0.55);
    case "cross": {  // a diagonal cross (x) drawn as a filled shape
      const p = [[-1, -1], [0, -0.42], [1, -1], [0.42, 0], [1, 1], [0, 0.42], [-1, 1], [-0.42, 0]];
      return `M${p.map(([x, y]) => `${(x * s).toFixed(2)},${(y * s).toFixed(2)}`).join("L")}Z`;
    }
    case "plus": return `M${-t},${-r}H${t}V${-t}H${r}V${t}H${t}V${r}H${-t}V${t}H${-r}V${-t}H${-t}Z`;
    default: return `M${r},0A${r},${r} 0 1,1 ${-r},0A${r},${r} 0 1,1 ${r},0Z`;  // circle
  }
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
