// The page's Python: PyScript workers running web/engine.py (pycore). The page's own thread never runs Python.
// Worker 0 starts with the page and answers it (races, checks, the inspector, links, exports); basin maps and
// tuning are spread over a pool of max(2, navigator.hardwareConcurrency) workers, worker 0 included, the others
// started on first use. Every call returns a promise; pycore's ValueError (bad input, said in words) rejects with
// PyError, anything else with PyFault (shown as a message, never as a traceback).

export class PyError extends Error {}
export class PyFault extends Error {}

// One worker per core the browser reports, at least 2; `?workers=N` in the address sets N (for measuring how maps
// scale, tools/bench_basin.py).
const ASKED = Number(new URLSearchParams(location.search).get("workers"));
const POOL = Number.isInteger(ASKED) && ASKED >= 1 && ASKED <= 16 ? ASKED : Math.max(2, navigator.hardwareConcurrency || 2);
const workers = [];
let core = null;

// PyScript composes the JavaScript hooks it runs in each new worker into one function with Function() (src/hooks.js,
// createFunction), which the page's Content-Security-Policy refuses (it has no 'unsafe-eval': nothing on this page
// or in its workers turns a string into code). Its one default worker hook registers the `_pyscript` module that
// only pyscript.fs uses; web/engine.py uses neither, so every worker starts without JavaScript hooks (worker 0 used
// to escape them only by starting before PyScript had set them up). tests/browser/test_csp.py fails if a worker
// ever needs more.
const WORKER_JS_HOOKS = ["onReady", "onBeforeRun", "onBeforeRunAsync", "onAfterRun", "onAfterRunAsync"];

function spawn() {
  const here = (path) => new URL(path, import.meta.url).href;
  core ??= import("./vendor/pyscript/core.js").then((pyscript) => {
    for (const name of WORKER_JS_HOOKS) pyscript.hooks.worker[name].clear();
    return pyscript;
  });
  return core.then(({ PyWorker }) => PyWorker(here("./engine.py"), {
    config: here("../pyscript.toml"), version: here("./pyodide.mjs"),
  }));
}

function worker(i) {
  while (workers.length <= i) workers.push(spawn());
  return workers[i];
}

function answer(reply) {
  if ("error" in reply) throw new (reply.bug ? PyFault : PyError)(reply.error);
  return reply.ok;
}

let inFlight = 0;   // calls and races not answered yet (tests wait for 0: web/app.js's optviz.idle)
export const pending = () => inFlight + (running ? 1 : 0);

async function ask(i, name, args) {
  inFlight++;
  try {
    const w = await worker(i);
    return answer(JSON.parse(await w.sync.call(name, JSON.stringify(args))));
  } finally {
    inFlight--;
  }
}

// Starts worker 0: { spawned, ready }. `spawned` resolves once its Worker exists (Pyodide then boots on its own
// thread, whatever the page's thread does), `ready` once pycore answers (its catalog is the first question).
export function start() {
  const t0 = performance.now();
  const ready = ask(0, "catalog", {}).then((cat) => {
    performance.mark("optviz:python");
    return { catalog: cat, seconds: (performance.now() - t0) / 1000 };
  });
  return { spawned: worker(0), ready };
}

// call("check", {...}) -> pycore's answer; rejects with PyError (a message for the person) or PyFault.
export const call = (name, args = {}) => ask(0, name, args);

// call() for something a person typed: { ok } or { error: pycore's message }; a fault still rejects.
export async function attempt(name, args = {}) {
  try {
    return { ok: await call(name, args) };
  } catch (e) {
    if (e instanceof PyError) return { error: e.message };
    throw e;
  }
}

// ---- races: the latest request wins ---------------------------------------------------------------------------
// A race runs in slices. While one is computing, a newer request waits (replacing any older waiting one, whose
// promise resolves to null) and the running one stops after its current slice. Its optimizers are dealt, in turn
// in display order, to the race workers that are up: worker 0, and worker 1 once warmRaces() has started it and
// it has answered (a person's first start on the plot does). The parts run at once, on two cores, and are joined
// here into one race, the same whichever worker ran what. Worker 0 makes any run it did not make when asked
// (web/engine.py), so the inspector, the exports and the field overlay ask it alone.
let waiting = null, running = false, raceId = 0, raceLanes = 1, warming = false;

export function race(args, onProgress) {
  return new Promise((resolve, reject) => {
    if (waiting) waiting.resolve(null);
    waiting = { args, resolve, reject, onProgress };
    if (!running) pump();
  });
}

// Starts worker 1 for races (once); races use it from when it has answered.
export function warmRaces() {
  if (warming || POOL < 2) return;
  warming = true;
  worker(1).then((w) => w.sync.call("resources", "{}")).then(() => { raceLanes = 2; }, () => {});
}

async function pump() {
  running = true;
  while (waiting) {
    const job = waiting;
    waiting = null;
    const id = ++raceId;
    const keys = Object.keys(job.args.settings ?? {});
    const lanes = Math.max(1, Math.min(raceLanes, keys.length));
    const done = new Array(lanes).fill(0);
    const progress = (j, n) => { done[j] = n; job.onProgress?.(done.reduce((a, b) => a + b, 0), keys.length); };
    const parts = await Promise.allSettled(Array.from({ length: lanes }, (_, j) => racePart(j, id,
      lanes > 1 ? { ...job.args, only: keys.filter((_, k) => k % lanes === j) } : job.args, (n) => progress(j, n))));
    const failed = parts.find((p) => p.status === "rejected");
    if (failed) job.reject(failed.reason);
    else job.resolve(parts.some((p) => p.value === null) ? null : join(parts.map((p) => p.value), keys));
  }
  running = false;
}

// One worker's part of race `id`: its packed reply, or null if a newer race replaced it.
async function racePart(i, id, args, onProgress) {
  const w = await worker(i);
  let reply = answer(await w.sync.race(id, JSON.stringify(args)));
  while (reply.pending && !waiting) {
    onProgress(reply.done);
    reply = answer(await w.sync.race_more(id));
  }
  return reply.pending ? null : reply;
}

// The parts' packed replies as one: records in display order (`keys`), offsets into the joined floats.
function join(replies, keys) {
  if (replies.length === 1) return { ...replies[0], lanes: 1 };
  const floats = new Float64Array(replies.reduce((n, r) => n + r.floats.length, 0));
  const at = [];
  replies.reduce((n, r, j) => { floats.set(r.floats, n); at[j] = n; return n + r.floats.length; }, 0);
  const runs = {};
  for (const k of keys) {
    const j = replies.findIndex((r) => k in r.runs);
    if (j >= 0) runs[k] = { ...replies[j].runs[k], offset: replies[j].runs[k].offset + at[j] };
  }
  return { ...replies[0], runs, errors: Object.assign({}, ...replies.map((r) => r.errors)), floats,
           python_ms: Math.max(...replies.map((r) => r.python_ms)), lanes: replies.length };
}

// ---- the pool: basin maps and tuning ----------------------------------------------------------------------------
export const pool = {
  size: POOL,
  // Starts every worker of the pool (worker 0 is already up); resolves with how many are ready now.
  warm() { for (let i = 1; i < POOL; i++) worker(i); },
  // Runs `tasks` (each {name, args}) over the pool, each worker taking the next task as it finishes one;
  // `onResult(task, result, worker)` is called as results arrive; stops early when `cancelled()` turns true;
  // `prepare(worker)` runs on each worker before its first task.
  async map(tasks, onResult, cancelled = () => false, prepare = null) {
    this.warm();
    let next = 0;
    const lane = async (i) => {
      if (prepare) await prepare(i);
      while (next < tasks.length && !cancelled()) {
        const task = tasks[next++];
        const result = await ask(i, task.name, task.args);
        if (!cancelled()) onResult(task, result, i);
      }
    };
    // Worker 0 starts at once; the others join when they have booted (a slow boot never delays the map).
    await Promise.all(Array.from({ length: POOL }, (_, i) => lane(i)));
  },
  // One call on worker i (e.g. planning a basin job on each worker before its chunks).
  call: (i, name, args) => ask(i, name, args),
};
