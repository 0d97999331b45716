// "Your function": the f(x, y) field and its bounds. pycore.browser.lab.check_custom parses the text with pycore.expr's
// whitelist parser (nothing is evaluated as code); an error shows next to the field with a caret under its
// column and changes nothing; a valid function becomes the surface "Custom" (minima found numerically).
import { CUSTOM } from "./lab.js";

const $ = (id) => document.getElementById(id);
const IDS = ["custom-x0", "custom-x1", "custom-y0", "custom-y1"];
const CARET_WINDOW = 36;   // characters shown either side of an error's column

// The excerpt of `text` around `pos` and a caret under it (one line each, monospace).
function caretLines(text, pos) {
  const from = Math.max(0, pos - CARET_WINDOW);
  const to = Math.min(text.length, pos + CARET_WINDOW);
  const head = from > 0 ? "…" : "";
  const line = head + text.slice(from, to) + (to < text.length ? "…" : "");
  return `${line}\n${" ".repeat(head.length + pos - from)}^`;
}

// app: { S, call, defaults: {default: {custom, bounds}, max_length}, select(key) }.
export function initCustom(app) {
  const { S, call } = app;
  const card = $("custom-card"), input = $("custom-expr"), caret = $("custom-caret"), err = $("custom-error");
  const boundsErr = $("custom-bounds-error");
  $("custom-allowed").textContent = "Allowed: numbers, x, y, pi, e, + − * / ** (or ^), parentheses and " +
    "sin cos tan asin acos atan sinh cosh tanh exp log log10 sqrt abs sign min max. " +
    "The gradient is exact (symbolic); minima are found numerically (grid scan, then Newton's method).";
  let timer = null;
  let kept = null;   // the function in the field while another surface is shown (S.custom is then null)

  // The bounds as typed: pycore reads the text (so 1e400 or 0x10 get a message, never a silent Infinity).
  const bounds = () => [[$(IDS[0]).value, $(IDS[1]).value], [$(IDS[2]).value, $(IDS[3]).value]];

  function show(expr, b) {
    input.value = expr;
    IDS.forEach((id, i) => { $(id).value = String(b[i >> 1][i & 1]); });
  }

  function showGradient(v) {
    $("custom-gradient").textContent = `∂f/∂x = ${v.gradient_text[0]};  ∂f/∂y = ${v.gradient_text[1]}`;
    const n = v.surface.minima.length;
    $("custom-minima").textContent = n ? `Minima found numerically in the view: ${n}.`
      : "No strict minimum found in the view (grid scan, then Newton's method); runs still work, with no minimum to reach.";
  }

  // Checks the field; on success the function becomes the surface. Resolves true if it was accepted.
  let asked = 0;
  async function check() {
    clearTimeout(timer);
    const expr = input.value, b = bounds();
    const mine = ++asked;
    const v = await call("custom", { expr, bounds: b });
    if (mine !== asked) return false;      // a newer edit is being checked
    err.hidden = caret.hidden = boundsErr.hidden = true;
    input.removeAttribute("aria-invalid");
    if (!v.ok) {
      if (v.field === "expr") {
        err.textContent = `Column ${v.column}: ${v.message}`;
        caret.textContent = caretLines(expr, v.pos);
        caret.hidden = false;
        err.hidden = false;
        input.setAttribute("aria-invalid", "true");
      } else {
        boundsErr.textContent = v.message;
        boundsErr.hidden = false;
      }
      card.dataset.verdict = "refused";
      return false;
    }
    card.dataset.verdict = "ok";
    const checked = v.surface.bounds;      // the bounds as pycore read them (numbers)
    if (S.custom && S.custom.expr === expr && JSON.stringify(S.custom.bounds) === JSON.stringify(checked) && S.surface === CUSTOM) {
      return true;
    }
    S.custom = { expr, bounds: checked };
    S.surfaces[CUSTOM] = v.surface;
    showGradient(v);
    await app.select(CUSTOM);
    return true;
  }

  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(check, 300); });
  input.addEventListener("keydown", (e) => { if (e.key === "Enter") check(); });
  for (const id of IDS) $(id).addEventListener("change", check);

  return {
    check,
    // The surface "Custom" was selected: make sure S.custom names a checked function (the default at first).
    async ensure() {
      card.hidden = false;
      if (!S.custom && kept) [S.custom, kept] = [kept, null];
      if (S.custom) return;
      const d = app.defaults.default;
      const v = await call("custom", { expr: d.custom, bounds: d.bounds });
      S.custom = { expr: d.custom, bounds: d.bounds };
      S.surfaces[CUSTOM] = v.surface;
      show(d.custom, d.bounds);
      showGradient(v);
    },
    // A checked view from elsewhere (URL hash) names the function.
    async use(expr, b) {
      const v = await call("custom", { expr, bounds: b });
      if (!v.ok) throw new Error(`custom function refused: ${v.message}`);
      S.custom = { expr, bounds: b };
      S.surfaces[CUSTOM] = v.surface;
      show(expr, b);
      showGradient(v);
    },
    hide() {
      card.hidden = true;
      if (S.custom) [kept, S.custom] = [S.custom, null];
    },
    enable() { for (const id of ["custom-expr", ...IDS]) $(id).disabled = false; },
  };
}
