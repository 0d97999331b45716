// The Python side of the page (web/main.py, run by PyScript): waiting for it, with visible progress, and calling it.
let pyCall = null;

export class PyError extends Error {}

// call("runs", {...}) -> the parsed result; throws PyError with pycore's message for a ValueError.
export function call(name, args = {}) {
  const reply = JSON.parse(pyCall(name, JSON.stringify(args)));
  if ("error" in reply) throw new PyError(reply.error);
  return reply.ok;
}

// call() for something the user typed: { ok: result } or { error: pycore's message } (a ValueError, for the
// page to show next to the field); anything else still throws.
export function attempt(name, args = {}) {
  try {
    return { ok: call(name, args) };
  } catch (e) {
    if (e instanceof PyError) return { error: e.message };
    throw e;
  }
}

// Resolves once web/main.py has registered window.optvizCall; reports stages to `progress(stage, label)`.
export function startPython(progress) {
  const stages = [
    [/pyodide\.asm\.wasm|python_stdlib\.zip/, 1, "Starting the Python interpreter"],
    [/pycore\/.*\.py$/, 2, "Loading pycore (the optimizers and surfaces)"],
  ];
  let reached = 0;
  const seen = (name) => {
    for (const [re, n, label] of stages) {
      if (re.test(name) && n > reached) { reached = n; progress(n, label); }
    }
  };
  const observer = new PerformanceObserver((list) => list.getEntries().forEach((e) => seen(e.name)));
  observer.observe({ type: "resource", buffered: true });
  return new Promise((resolve) => {
    const done = () => {
      performance.mark("optviz:python");
      observer.disconnect();
      pyCall = window.optvizCall;
      progress(3, "Computing the surface");
      resolve();
    };
    if (window.optvizCall) done();
    else window.addEventListener("optviz:python", done, { once: true });
  });
}
