// The 3-D view of the loss surface: a lit mesh of f coloured like the contour plot, the optimizers' paths lying
// on it, their current dots, minima, saddles and the start. The page imports this module only when the user
// turns the 3-D view on, so three.js is fetched then and never at start-up. No globals; renders on demand only.
//
// const view = createView3D(container, { onHover })
//   container: a <div> sized by CSS; the view fills it with a canvas and gives it role="img" and an aria-label.
//   onHover(key, anchor) when the pointer comes within a few pixels of a run's current dot, onHover(null, null)
//   when it leaves; anchor.getBoundingClientRect() is the dot's box on screen now (what placeInspector takes).
// view.setSurface(grid, surface)
//   grid: pycore's surface grid {nx, ny, bounds: [[x0, x1], [y0, y1]], values, thresholds, levels, min, max}
//   with values[j*nx + i] = f(x0 + (i + .5)dx, y0 + (j + .5)dy); surface: {bounds, levels, minima: [{x, y,
//   value, is_global}], saddles: [{x, y, value}], name (optional)}. Drops the runs; resets the camera.
// view.setRuns(runs, meta, order)
//   runs: {key: {points: [[x, y], ...], losses: [f at each point]}}; meta[key]: {name, color, marker};
//   order: keys in display order. The start marker is the first run's first point. Call after setSurface.
// view.draw(step, enabled)
//   each run in the Set `enabled` up to point index `step` (clamped to its last point) with its dot there; the
//   others hidden. Per run it only sets a segment count and moves a dot; one render follows on the next frame.
// view.resetCamera()   the initial viewpoint, fitted to the container.
// view.resize()        after the container changed size (a ResizeObserver on the container also calls it).
// view.dispose()       frees the GPU resources, removes the canvas, the listeners and the container's role/label.
// view.canvas          the WebGL canvas; its drawing buffer is kept, so canvas.toBlob() exports what is shown.
// view.snapshot()      for tests: {paths: {key: segments drawn, 0 when hidden}, dots: {key: [clientX, clientY]}
//                      of the dots shown, box: [left, top, right, bottom] on screen of the box paths are clipped
//                      to, camera and target: [x, y, z] in world units}.
//
// Heights: z = 0 at the lowest known f (base = the lowest minimum or the lowest sample); where the contour uses
// log levels z ∝ log(f − base + δ), δ = DELTA·(max − base), else z ∝ f − base; the highest sample is at
// HEIGHT. A path point lies at its run's own loss, mapped the same way, or on the drawn mesh where the mesh
// (linear between samples) is higher, plus a small lift; paths are clipped to the box over the bounds.
import * as THREE from "./vendor/three/three.module.js";
import { OrbitControls } from "./vendor/three/OrbitControls.js";
import { LineMaterial } from "./vendor/three/LineMaterial.js";
import { LineSegments2 } from "./vendor/three/LineSegments2.js";
import { LineSegmentsGeometry } from "./vendor/three/LineSegmentsGeometry.js";
import { colour } from "./contour.js";
import { fmt, markerPath } from "./svg.js";

const SPAN = 2;             // world length of the longer side of the x-y bounds
const HEIGHT = 0.85;        // world height of the highest sample above the lowest
const DELTA = 1e-3;         // log heights: δ as a fraction of max − base
const LIFT = 0.01;          // paths and markers float this far above the mesh
const FLOOR = -0.05;        // height of the floor under the surface, where the axes are labelled
const Z_BOX = [FLOOR + 0.01, 1.02 * HEIGHT];  // paths are clipped to this height range (and to the bounds)
const LABEL_PAD = 0.1;      // axis labels sit this far outside the floor
const HOME = { azimuth: -1.85, polar: [0.6, 0.8] };  // initial view (radians from above; z up, y away):
                                                     // steeper in a tall container, so the surface fills it
const SPRITE_BIAS = 0.03;   // markers are depth-tested as if this fraction of their distance nearer the camera
const ORDER = { lines: 1, marks: 4, dots: 6, labels: 8 };  // draw order: halo, line, ghost line; marks; dots
const INK = "#111827";
const HELP = "Drag to rotate, scroll or pinch to zoom, right-drag or two fingers to pan.";

export function createView3D(container, { onHover = null } = {}) {
  const renderer = new THREE.WebGLRenderer({ antialias: !softwareGL(), alpha: true, preserveDrawingBuffer: true });
  renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
  const canvas = renderer.domElement;
  canvas.setAttribute("aria-hidden", "true");
  canvas.style.display = "block";
  container.append(canvas);
  container.setAttribute("role", "img");

  const scene = new THREE.Scene();
  scene.add(new THREE.HemisphereLight(0xffffff, 0x9aa3b2, 2.1));
  const sun = new THREE.DirectionalLight(0xffffff, 1.6);
  sun.position.set(-1.2, -2, 3);
  scene.add(sun);
  const camera = new THREE.PerspectiveCamera(34, 1, 0.02, 60);
  camera.up.set(0, 0, 1);  // before the controls: they orbit around camera.up
  const controls = new OrbitControls(camera, canvas);
  Object.assign(controls, { maxPolarAngle: 0.47 * Math.PI, screenSpacePanning: false });

  const looks = new Map();  // per optimizer: its line and dot materials, kept across setRuns
  let world = null, surfaceGroup = null, runsGroup = null, runs = new Map(), label = "", home = null;
  let queued = 0, hovered = null;
  const state = { step: 0, enabled: new Set() };

  // ---- rendering -----------------------------------------------------------------------------------------
  function render() {
    queued = 0;
    if (canvas.width && canvas.height) renderer.render(scene, camera);
  }

  function schedule() {
    if (!queued) queued = requestAnimationFrame(render);
  }

  function resize() {
    const w = container.clientWidth, h = container.clientHeight;
    if (!w || !h) return;
    renderer.setSize(w, h);
    camera.aspect = w / h;
    camera.updateProjectionMatrix();
    for (const look of looks.values()) for (const m of look.lines) m.resolution.set(w, h);
    if (home?.untouched) resetCamera();
    render();
  }

  // ---- camera --------------------------------------------------------------------------------------------
  function resetCamera() {
    if (!world) return;
    const target = new THREE.Vector3(0, 0, HEIGHT * 0.3);
    const tall = clamp(1.5 - camera.aspect, 0, 1);  // 0 from aspect 3:2 up, 1 from 1:2 down
    const a = HOME.azimuth, p = HOME.polar[1] + (HOME.polar[0] - HOME.polar[1]) * tall;
    const dir = new THREE.Vector3(Math.sin(p) * Math.cos(a), Math.sin(p) * Math.sin(a), Math.cos(p));
    const d = fitDistance(camera, target, dir, corners(world.box));
    camera.position.copy(target).addScaledVector(dir, d);
    controls.target.copy(target);
    Object.assign(controls, { minDistance: 0.3 * d, maxDistance: 2.5 * d });
    controls.update();
    home = { untouched: true };  // until the user moves the camera, a resize refits it
    schedule();
  }

  // Panning may not take the orbit centre out of the box over the surface.
  function keepTargetInBox() {
    if (!world) return;
    const t = controls.target;
    const [[ax, bx], [ay, by]] = world.box;
    const shift = new THREE.Vector3(clamp(t.x, ax, bx), clamp(t.y, ay, by), clamp(t.z, 0, HEIGHT)).sub(t);
    t.add(shift);
    camera.position.add(shift);
  }

  controls.addEventListener("change", () => { keepTargetInBox(); schedule(); });
  controls.addEventListener("start", () => { if (home) home.untouched = false; });

  // ---- hover ---------------------------------------------------------------------------------------------
  function screenOf(position) {
    const v = position.clone().project(camera);
    const r = canvas.getBoundingClientRect();
    return [r.left + ((v.x + 1) / 2) * r.width, r.top + ((1 - v.y) / 2) * r.height];
  }

  function dotNear(e) {
    let best = null, bestD = 12;
    for (const [key, it] of runs) {
      if (!it.dot.visible) continue;
      const [sx, sy] = screenOf(it.dot.position);
      const d = Math.hypot(e.clientX - sx, e.clientY - sy);
      if (d < bestD) { best = key; bestD = d; }
    }
    return best;
  }

  function hover(key) {
    if (key === hovered || !onHover) return;
    hovered = key;
    const anchor = key && { getBoundingClientRect() {
      const dot = runs.get(key)?.dot;
      if (!dot) return new DOMRect();
      const [x, y] = screenOf(dot.position);
      return new DOMRect(x - 7, y - 7, 14, 14);
    } };
    onHover(key, anchor);
  }

  const onMove = (e) => hover(e.buttons ? null : dotNear(e));
  const onLeave = () => hover(null);
  canvas.addEventListener("pointermove", onMove);
  canvas.addEventListener("pointerleave", onLeave);

  // ---- surface -------------------------------------------------------------------------------------------
  function setSurface(grid, surface) {
    clearRuns();
    disposeGroup(surfaceGroup);
    world = worldOf(grid, surface);
    surfaceGroup = new THREE.Group();
    surfaceGroup.add(surfaceMesh(grid, world), ...floor(grid, world), ...landmarks(surface, world));
    scene.add(surfaceGroup);
    label = surfaceLabel(grid, surface);
    describe();
    resetCamera();
  }

  // ---- runs ----------------------------------------------------------------------------------------------
  function setRuns(data, meta, order) {
    if (!world) throw new Error("view3d: setRuns before setSurface");
    clearRuns();
    runsGroup = new THREE.Group();
    const keys = order.filter((k) => data[k]);
    for (const key of keys) {
      const look = lookOf(key, meta[key]);
      const it = { ...pathOf(data[key], world), name: meta[key].name, dot: sprites([[0, 0, 0]], look.dot, ORDER.dots) };
      const line = (m, k) => Object.assign(new LineSegments2(it.geometry, m), { renderOrder: ORDER.lines + k });
      it.lines = it.geometry ? look.lines.map(line) : [];
      runsGroup.add(...it.lines, it.dot);
      runs.set(key, it);
    }
    if (keys.length) runsGroup.add(startMarker(data[keys[0]], world));
    scene.add(runsGroup);
    draw(state.step, state.enabled);
  }

  // One optimizer's materials, made once: a white halo under its line, the line, a faint copy of the line
  // drawn over everything (where a hill hides the path), and its legend marker as the dot.
  function lookOf(key, o) {
    const id = `${key}|${o.color}|${o.marker}`;
    if (!looks.has(id)) {
      const lines = [
        new LineMaterial({ color: 0xffffff, linewidth: 5.5, depthWrite: false }),
        new LineMaterial({ color: o.color, linewidth: 2.5 }),
        new LineMaterial({ color: o.color, linewidth: 2, transparent: true, opacity: 0.35, depthTest: false,
          depthWrite: false }),
      ];
      for (const m of lines) m.resolution.set(container.clientWidth || 1, container.clientHeight || 1);
      const dot = spriteMaterials(markerTexture(o.marker, o.color, "#ffffff"), 17);
      for (const m of [...lines, ...dot]) m.userData.shared = true;  // freed with the view, not with the runs
      looks.set(id, { lines, dot });
    }
    return looks.get(id);
  }

  function clearRuns() {
    disposeGroup(runsGroup);
    runsGroup = null;
    runs = new Map();
    hover(null);
  }

  function draw(step, enabled) {
    state.step = step;
    state.enabled = new Set(enabled);
    for (const [key, it] of runs) {
      const on = state.enabled.has(key);
      const i = clamp(step, 0, it.n - 1);
      for (const line of it.lines) line.visible = on;
      if (it.geometry) it.geometry.instanceCount = it.upto[i];
      it.dot.visible = on && it.inside[i] === 1;
      it.dot.position.fromArray(it.xyz, 3 * i);
    }
    if (hovered && !runs.get(hovered)?.dot.visible) hover(null);
    describe();
    schedule();
  }

  // ---- text alternative ----------------------------------------------------------------------------------
  function describe() {
    if (!label) return;
    const shown = [...runs].filter(([k]) => state.enabled.has(k)).map(([, it]) => it.name);
    const paths = shown.length ? `Paths of ${shown.join(", ")} up to step ${state.step}.` : "No optimizer paths shown.";
    container.setAttribute("aria-label", `${label} ${paths} ${HELP}`);
  }

  // ---- test hook -----------------------------------------------------------------------------------------
  function snapshot() {
    const paths = {}, dots = {};
    for (const [key, it] of runs) {
      paths[key] = it.lines[0]?.visible ? it.geometry.instanceCount : 0;
      if (it.dot.visible) dots[key] = screenOf(it.dot.position);
    }
    const corners = [];
    for (const x of world.box[0]) for (const y of world.box[1]) for (const z of world.box[2]) {
      corners.push(screenOf(new THREE.Vector3(x, y, z)));
    }
    const xs = corners.map((c) => c[0]), ys = corners.map((c) => c[1]);
    const box = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
    return { paths, dots, box, camera: camera.position.toArray(), target: controls.target.toArray(),
      finite: world.heights.every(Number.isFinite) };   // every height of the mesh is a number
  }

  function dispose() {
    cancelAnimationFrame(queued);
    observer.disconnect();
    canvas.removeEventListener("pointermove", onMove);
    canvas.removeEventListener("pointerleave", onLeave);
    controls.dispose();
    clearRuns();
    disposeGroup(surfaceGroup);
    for (const m of [...looks.values()].flatMap((look) => [...look.lines, ...look.dot])) {
      m.map?.dispose();
      m.dispose();
    }
    renderer.dispose();
    renderer.getContext().getExtension("WEBGL_lose_context")?.loseContext();  // free the context now, not at GC
    canvas.remove();
    container.removeAttribute("aria-label");
    container.removeAttribute("role");
  }

  const observer = new ResizeObserver(resize);
  observer.observe(container);
  resize();
  return { setSurface, setRuns, draw, resetCamera, resize, dispose, snapshot, canvas };
}

// Whether WebGL draws in software (SwiftShader, llvmpipe), where multisampling makes every frame about 3x
// slower: the view asks for antialiasing only on a GPU. Chromium names the renderer only through the debug
// extension; Firefox names it directly (and warns when the extension is used).
function softwareGL() {
  const gl = document.createElement("canvas").getContext("webgl2");
  if (!gl) return false;
  let name = gl.getParameter(gl.RENDERER);
  if (name === "WebKit WebGL") {
    const info = gl.getExtension("WEBGL_debug_renderer_info");
    name = info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : "";
  }
  gl.getExtension("WEBGL_lose_context")?.loseContext();
  return /swiftshader|llvmpipe|softpipe|software/i.test(name);
}

// ---- heights and the mesh --------------------------------------------------------------------------------
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

// World coordinates: centred, equal aspect, the longer side of the bounds SPAN long, z up from the lowest f.
function worldOf(grid, surface) {
  const [[x0, x1], [y0, y1]] = grid.bounds;
  const s = SPAN / Math.max(x1 - x0, y1 - y0);
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  const base = Math.min(grid.min, ...surface.minima.map((m) => m.value));
  const z = heightOf(grid.levels, base, grid.max / 2 - base / 2 || 0.5);
  const heights = Float32Array.from(grid.values, z);
  return {
    x: (x) => (x - cx) * s,
    y: (y) => (y - cy) * s,
    z,
    heights,
    meshZ: (x, y) => bilinear(grid, heights, x, y),
    box: [[(x0 - cx) * s, (x1 - cx) * s], [(y0 - cy) * s, (y1 - cy) * s], Z_BOX],
  };
}

// f -> z: log of the height above base where the contour uses log levels, else linear; max maps to HEIGHT.
// `half` is half of max − base, and u = (f − base)/(max − base) is taken by halves, so f from -1e308 to 1e308
// (a span beyond the float range) still gives finite heights: log(u·r + δr) − log(δr) = log(u + δ) − log(δ).
function heightOf(levels, base, half) {
  const u = (f) => (f / 2 - base / 2) / half;
  if (levels !== "log") return (f) => u(f) * HEIGHT;
  const lo = Math.log(DELTA), k = HEIGHT / (Math.log(1 + DELTA) - lo);
  return (f) => (Math.log(Math.max(u(f), 0) + DELTA) - lo) * k;
}

// The mesh's height at data point (x, y): bilinear between the cell-centre samples, clamped at the edges.
function bilinear(grid, heights, x, y) {
  const { nx, ny } = grid;
  const [[x0, x1], [y0, y1]] = grid.bounds;
  const u = clamp(((x - x0) / (x1 - x0)) * nx - 0.5, 0, nx - 1.001);
  const v = clamp(((y - y0) / (y1 - y0)) * ny - 0.5, 0, ny - 1.001);
  const i = Math.floor(u), j = Math.floor(v), fu = u - i, fv = v - j;
  const h = (a, b) => heights[b * nx + a];
  return (h(i, j) * (1 - fu) + h(i + 1, j) * fu) * (1 - fv) + (h(i, j + 1) * (1 - fu) + h(i + 1, j + 1) * fu) * fv;
}

// Where v falls among the contour thresholds, as a continuous band index: k + 1 at thresholds[k], between
// 0.5 and 1 below the first, at most n + 0.5 above the last. Integers are the isolines.
function levelOf(v, t, lo, hi) {
  const n = t.length;
  const part = (p, q, r) => (p / 2 - q / 2) / (r / 2 - q / 2 || 1);   // (p − q)/(r − q), by halves: never ∞/∞
  if (v < t[0]) return 0.5 + 0.5 * clamp(part(v, lo, t[0]), 0, 1);
  if (v >= t[n - 1]) return n + 0.5 * clamp(part(v, t[n - 1], hi), 0, 1);
  let a = 0, b = n - 1;
  while (b - a > 1) { const m = (a + b) >> 1; if (t[m] <= v) a = m; else b = m; }
  return a + 1 + part(v, t[a], t[b]);
}

// The 2-D contour's colour ramp as linear RGB, sampled once: band index L of n is colour(L / n), as there.
const RAMP = (() => {
  const c = new THREE.Color();
  return Array.from({ length: 256 }, (_, k) => c.setStyle(colour(k / 255)).toArray());
})();

function surfaceMesh(grid, world) {
  const { nx, ny, values, thresholds: t } = grid;
  const [[x0, x1], [y0, y1]] = grid.bounds;
  const dx = (x1 - x0) / nx, dy = (y1 - y0) / ny;
  const pos = new Float32Array(nx * ny * 3), col = new Float32Array(nx * ny * 3), lev = new Float32Array(nx * ny);
  for (let k = 0; k < nx * ny; k++) {
    const i = k % nx, j = (k - i) / nx;
    pos.set([world.x(x0 + (i + 0.5) * dx), world.y(y0 + (j + 0.5) * dy), world.heights[k]], 3 * k);
    lev[k] = levelOf(values[k], t, grid.min, grid.max);
    col.set(RAMP[Math.round(clamp(lev[k] / t.length, 0, 1) * 255)], 3 * k);
  }
  const index = [];
  for (let j = 0; j < ny - 1; j++) {
    for (let i = 0; i < nx - 1; i++) {
      const a = j * nx + i, b = a + 1, c = a + nx, d = c + 1;
      index.push(a, b, d, a, d, c);
    }
  }
  const g = new THREE.BufferGeometry();
  g.setIndex(index);
  g.setAttribute("position", new THREE.BufferAttribute(pos, 3));
  g.setAttribute("color", new THREE.BufferAttribute(col, 3));
  g.setAttribute("level", new THREE.BufferAttribute(lev, 1));
  g.computeVertexNormals();
  return new THREE.Mesh(g, surfaceMaterial());
}

// Lambert shading of the vertex colours, with faint isolines where the band index crosses an integer (faded
// where they crowd, so steep walls do not turn dark). Pushed back in depth so lines on the mesh win.
function surfaceMaterial() {
  const m = new THREE.MeshLambertMaterial({ vertexColors: true, side: THREE.DoubleSide,
    polygonOffset: true, polygonOffsetFactor: 1, polygonOffsetUnits: 1 });
  m.onBeforeCompile = (shader) => {
    shader.vertexShader = shader.vertexShader
      .replace("#include <common>", "#include <common>\nattribute float level;\nvarying float vLevel;")
      .replace("#include <begin_vertex>", "#include <begin_vertex>\nvLevel = level;");
    shader.fragmentShader = shader.fragmentShader
      .replace("#include <common>", "#include <common>\nvarying float vLevel;")
      .replace("#include <color_fragment>", `#include <color_fragment>
        float fw = max(fwidth(vLevel), 1e-4);
        float iso = 1.0 - smoothstep(0.5, 1.5, abs(fract(vLevel + 0.5) - 0.5) / fw);
        diffuseColor.rgb *= 1.0 - 0.2 * iso * (1.0 - smoothstep(0.25, 0.6, fw));`);
  };
  return m;
}

// ---- the floor and its axes ------------------------------------------------------------------------------
// A light floor under the bounds with its outline, tick marks and labels along the front (x) and left (y)
// edges, and the axis names past their far ends: the 2-D plot's axes, lying under the surface.
function floor(grid, world) {
  const [[x0, x1], [y0, y1]] = grid.bounds;
  const [[ax, bx], [ay, by]] = world.box;
  const plane = new THREE.Mesh(new THREE.PlaneGeometry(bx - ax, by - ay),
    new THREE.MeshBasicMaterial({ color: 0xe9ecf1 }));
  plane.position.set((ax + bx) / 2, (ay + by) / 2, FLOOR);
  const segs = [[ax, ay, bx, ay], [bx, ay, bx, by], [bx, by, ax, by], [ax, by, ax, ay]];
  const labels = [["x", bx + LABEL_PAD, ay], ["y", ax, by + LABEL_PAD]];
  for (const t of ticks(x0, x1)) {
    segs.push([world.x(t), ay, world.x(t), ay - 0.03]);
    labels.push([fmt(t), world.x(t), ay - LABEL_PAD]);
  }
  for (const t of ticks(y0, y1)) {
    segs.push([ax, world.y(t), ax - 0.03, world.y(t)]);
    labels.push([fmt(t), ax - LABEL_PAD, world.y(t)]);
  }
  const pos = segs.flatMap(([a, b, c, d]) => [a, b, FLOOR, c, d, FLOOR]);
  const geometry = new THREE.BufferGeometry().setAttribute("position", new THREE.Float32BufferAttribute(pos, 3));
  const lines = new THREE.LineSegments(geometry, new THREE.LineBasicMaterial({ color: 0x9aa3b2 }));
  const text = labels.map(([t, x, y]) =>
    points([[x, y, FLOOR]], pointMaterial(textTexture(t), 44, { depthTest: false }), ORDER.labels));
  return [plane, lines, ...text];
}

// Round values (steps of 1, 2 or 5 times a power of ten) well inside [a, b], so no label sits on a corner.
function ticks(a, b) {
  const raw = (b - a) / 4, p = 10 ** Math.floor(Math.log10(raw)), m = raw / p;
  const step = (m >= 5 ? 5 : m >= 2 ? 2 : 1) * p, margin = 0.1 * (b - a);
  const out = [];
  for (let k = Math.ceil((a + margin) / step); k * step <= b - margin; k++) out.push(k * step);
  return out;
}

// ---- paths -----------------------------------------------------------------------------------------------
// A data point on the drawn surface: its own f mapped to z, or the mesh where that is higher, plus LIFT.
function onSurface(world, x, y, f) {
  return [world.x(x), world.y(y), Math.max(world.z(f), world.meshZ(x, y)) + LIFT];
}

// One run's path: world points, the segments inside the box (clipped) and, for each point index i, how many of
// those segments lie before it (upto[i]), so drawing up to a step only sets a count. Coordinates are capped at
// ±1e3 (the box is about 2 wide) so a run's huge losses cannot overflow the arithmetic.
function pathOf(run, world) {
  const n = run.points.length;
  const xyz = new Float32Array(3 * n), inside = new Uint8Array(n), upto = new Uint32Array(n);
  const pts = run.points.map(([x, y], i) => onSurface(world, x, y, run.losses[i]).map((v) => clamp(v, -1e3, 1e3)));
  const segs = [];
  for (let i = 0; i < n; i++) {
    const a = pts[i - 1], b = pts[i];
    xyz.set(b, 3 * i);
    inside[i] = clipSegment(b, b, world.box) ? 1 : 0;
    if (i === 0) continue;
    const t = clipSegment(a, b, world.box);
    for (const s of t || []) segs.push(...a.map((v, k) => v + (b[k] - v) * s));
    upto[i] = upto[i - 1] + (t ? 1 : 0);
  }
  const geometry = segs.length ? new LineSegmentsGeometry().setPositions(segs) : null;
  return { n, xyz, inside, upto, geometry };
}

// The part of segment a-b inside the box [[x0, x1], [y0, y1], [z0, z1]], as the interval [t0, t1] of
// a + t(b - a), or null (slab clipping; a point is a segment of length 0).
function clipSegment(a, b, box) {
  let t0 = 0, t1 = 1;
  for (let k = 0; k < 3; k++) {
    if (!(Number.isFinite(a[k]) && Number.isFinite(b[k]))) return null;
    const d = b[k] - a[k], lo = box[k][0] - a[k], hi = box[k][1] - a[k];
    if (d === 0) {
      if (lo > 0 || hi < 0) return null;
      continue;
    }
    t0 = Math.max(t0, (d > 0 ? lo : hi) / d);
    t1 = Math.min(t1, (d > 0 ? hi : lo) / d);
    if (t0 > t1) return null;
  }
  return [t0, t1];
}

// ---- markers ---------------------------------------------------------------------------------------------
// A 64-pixel texture drawn by `paint` on a canvas whose units span -10..10 (the legend's marker size).
function canvasTexture(paint) {
  const size = 64, c = document.createElement("canvas");
  c.width = c.height = size;
  const g = c.getContext("2d");
  g.translate(size / 2, size / 2);
  g.scale(size / 20, size / 20);
  g.lineJoin = "round";
  paint(g);
  const tex = new THREE.CanvasTexture(c);
  tex.colorSpace = THREE.SRGBColorSpace;
  return tex;
}

// A legend marker (web/svg.js's markerPath), outlined like the 2-D plot's dots.
function markerTexture(shape, fill, stroke) {
  return canvasTexture((g) => {
    const p = new Path2D(markerPath(shape, 6.5));
    Object.assign(g, { fillStyle: fill, strokeStyle: stroke, lineWidth: 1.8 });
    g.stroke(p);
    g.fill(p);
  });
}

// A short axis label; axis names in italics.
function textTexture(text) {
  return canvasTexture((g) => {
    const font = `${/^[xy]$/.test(text) ? "italic " : ""}6.5px system-ui, sans-serif`;
    Object.assign(g, { font, textAlign: "center", textBaseline: "middle", fillStyle: "#5d6778" });
    g.fillText(text, 0, 0, 19);
  });
}

// Screen-sized square sprites (size in CSS pixels) showing `map`.
function pointMaterial(map, size, options = {}) {
  const base = { map, size, sizeAttenuation: false, transparent: true, depthWrite: false };
  return new THREE.PointsMaterial({ ...base, ...options });
}

function points(list, material, order) {
  const g = new THREE.BufferGeometry().setAttribute("position", new THREE.Float32BufferAttribute(list.flat(), 3));
  return Object.assign(new THREE.Points(g, material), { renderOrder: order });
}

// A marker's two materials: depth-tested, with its depth pulled toward the camera so the surface right around
// it does not cut it in two, and a faint copy drawn over everything, for where a hill hides it.
function spriteMaterials(map, size) {
  const full = pointMaterial(map, size);
  full.onBeforeCompile = (shader) => {
    shader.vertexShader = shader.vertexShader.replace("#include <project_vertex>",
      `#include <project_vertex>\nmvPosition.xyz *= ${1 - SPRITE_BIAS};\ngl_Position = projectionMatrix * mvPosition;`);
  };
  return [full, pointMaterial(map, size, { depthTest: false, opacity: 0.3 })];
}

// Markers at the world points `list`: the faint copy under the depth-tested one, in a group that can be moved.
function sprites(list, [full, ghost], order) {
  const group = new THREE.Group();
  group.add(points(list, ghost, order), points(list, full, order + 1));
  return group;
}

// Global minima as stars, local minima as circles, saddles as crosses: the 2-D plot's marks.
function landmarks(surface, world) {
  const at = (m) => onSurface(world, m.x, m.y, m.value);
  const glob = surface.minima.filter((m) => m.is_global).map(at);
  const local = surface.minima.filter((m) => !m.is_global).map(at);
  const saddles = surface.saddles.map(at);
  const cross = () => canvasTexture((g) => {
    const p = new Path2D("M-4,-4L4,4M4,-4L-4,4");
    Object.assign(g, { strokeStyle: "#ffffff", lineWidth: 4, lineCap: "round" });
    g.stroke(p);
    Object.assign(g, { strokeStyle: "#4b5563", lineWidth: 2 });
    g.stroke(p);
  });
  return [
    [saddles, cross, 14],
    [local, () => markerTexture("circle", "#ffffff", INK), 11],
    [glob, () => markerTexture("star", INK, "#ffffff"), 16],
  ].filter(([list]) => list.length)
    .map(([list, tex, size]) => sprites(list, spriteMaterials(tex(), size), ORDER.marks));
}

// The start (a run's first point): a white disc with a cross, like the 2-D plot's start marker.
function startMarker(run, world) {
  const tex = canvasTexture((g) => {
    Object.assign(g, { fillStyle: "rgba(255,255,255,0.9)", strokeStyle: INK, lineWidth: 1.8 });
    g.beginPath();
    g.arc(0, 0, 6, 0, 2 * Math.PI);
    g.fill();
    g.stroke();
    g.stroke(new Path2D("M-3,0H3M0,-3V3"));
  });
  const [x, y] = run.points[0];
  return sprites([onSurface(world, x, y, run.losses[0])], spriteMaterials(tex, 16), ORDER.marks);
}

// Removes a group and frees its geometries and its own materials (not the shared per-optimizer ones).
function disposeGroup(group) {
  if (!group) return;
  group.removeFromParent();
  group.traverse((o) => {
    o.geometry?.dispose();
    if (!o.material || o.material.userData.shared) return;
    o.material.map?.dispose();
    o.material.dispose();
  });
}

// ---- camera helpers --------------------------------------------------------------------------------------
// The corners of what the view must show: the box over the bounds (centred on 0) and the axis labels around it.
function corners(box) {
  const out = [];
  for (const x of box[0]) for (const y of box[1]) for (const z of [FLOOR, HEIGHT]) {
    out.push(new THREE.Vector3(x + Math.sign(x) * LABEL_PAD, y + Math.sign(y) * LABEL_PAD, z));
  }
  return out;
}

// The distance along `dir` from `target` at which every corner is inside 90 % of the view (bisection).
function fitDistance(camera, target, dir, pts) {
  let lo = 0.2, hi = 40;
  const v = new THREE.Vector3();
  const inView = (p) => {
    v.copy(p).project(camera);
    return Math.abs(v.x) < 0.9 && Math.abs(v.y) < 0.9 && v.z < 1;
  };
  for (let k = 0; k < 30; k++) {
    const d = (lo + hi) / 2;
    camera.position.copy(target).addScaledVector(dir, d);
    camera.lookAt(target);
    camera.updateMatrixWorld();
    if (pts.every(inView)) hi = d; else lo = d;
  }
  return hi;
}

// "1 global minimum", "3 local minima": a count and its noun.
function counted(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

// The fixed part of the text alternative: what the surface is and which marks it carries.
function surfaceLabel(grid, surface) {
  const [[x0, x1], [y0, y1]] = grid.bounds;
  const g = surface.minima.filter((m) => m.is_global).length;
  const l = surface.minima.length - g, s = surface.saddles.length;
  const marks = [
    g && `${counted(g, "global minimum", "global minima")} (stars)`,
    l && `${counted(l, "local minimum", "local minima")} (circles)`,
    s && counted(s, "saddle point", "saddle points"),
  ].filter(Boolean);
  const name = surface.name ? ` ${surface.name}` : "";
  const scale = grid.levels === "log" ? " on a log scale" : "";
  return `3-D view of the loss surface${name}: height is f${scale} over x from ${fmt(x0)} to ${fmt(x1)} and y ` +
    `from ${fmt(y0)} to ${fmt(y1)}, coloured like the contour plot${marks.length ? `; ${marks.join(", ")}` : ""}.`;
}
