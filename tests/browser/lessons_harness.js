// A stand-in for the page's app interface, for testing web/lessons.js on its own. app.call posts to
// ./lessons-api/<name>, which the test answers with pycore.browser.lessons (through a Playwright route), so the
// module sees exactly what the worker would return, pycore's error messages included.
import { initLessons } from "../../web/lessons.js";

const listeners = new Map();
const log = [];
const note = (entry) => {
  log.push(entry);
  document.getElementById("calls").append(Object.assign(document.createElement("li"), { textContent: entry }));
};

const app = {
  async call(name, args) {
    const reply = await (await fetch(`./lessons-api/${name}`, { method: "POST", body: JSON.stringify(args) })).json();
    if ("error" in reply) throw new Error(reply.error);
    return reply.ok;
  },
  async applyView(view) {
    const runs = view.enabled.map((k) => `${k} ${JSON.stringify(view.hyperparams[k].lr)}`).join(", ");
    document.getElementById("applied").textContent =
      `applyView: ${view.surface}, start (${view.start.join(", ")}), ${view.steps} steps, ${runs}`;
    note(`applyView ${view.surface}`);
  },
  play() { note("play"); },
  pause() { note("pause"); },
  on(name, fn) {
    if (!listeners.has(name)) listeners.set(name, new Set());
    listeners.get(name).add(fn);
    return () => listeners.get(name).delete(fn);
  },
  toPlayground() { note("toPlayground"); },
};

const lessons = initLessons(document.getElementById("panel"), app);
// For the test: the module's handle, the calls made, and a way to end playback.
window.harness = {
  lessons,
  log,
  listening: (name) => (listeners.get(name) || new Set()).size,
  emit: (name) => [...(listeners.get(name) || [])].forEach((fn) => fn()),
};
document.documentElement.dataset.ready = "true";
