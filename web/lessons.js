// Lessons, "predict, then see": one scene at a time in a side-panel container. The student reads the paragraph,
// picks an answer, and only then may press Play; when playback ends the reveal quotes the numbers pycore measured
// in that run. Every text and number comes from pycore (pycore/lessons.py through pycore/browser/lessons.py);
// nothing is written into the page as HTML, and no inline style is set (the page runs under a strict CSP).
//
//   initLessons(container, app) -> { open(id), close(), current() }
//
// The app provides:
//   app.call(name, args) -> Promise: "lessons" {} -> the catalog; "lesson" { lesson } -> one scene;
//     "lesson_reveal" { lesson } -> its reveal (pycore.browser.lessons.catalog / scene / reveal); rejects with an
//     Error whose message is pycore's ValueError text;
//   app.applyView(view) -> Promise: shows exactly that view, paused at step 0;
//   app.play(), app.pause(); app.on("ended", fn) -> unsubscribe: fn() when playback reaches the last step;
//   app.toPlayground(): leaves the lessons with the scene's settings in the free page;
//   app.phase(phase) (optional): told the phase ("closed", "asking", "playing", "revealed") after every change.
//
// Progress lives in the URL hash: opening lesson k sets #lesson=k (history.replaceState), and a #lesson=k in the
// address (at start or on a hashchange) opens lesson k; an unknown id shows pycore's message and changes nothing.
// lessonInHash() tells the app whether the address asks for a lesson, so it can show the lessons' panel.

const HASH = /^#lesson=(.*)$/;

// The lesson id the address asks for (the text after #lesson=, decoded), or null. Text that is not valid
// percent-encoding (#lesson=%E0%A4%A) is passed on as it is: pycore then says it is no lesson, and the page never
// meets a URIError.
export function lessonInHash(hash = location.hash) {
  const m = HASH.exec(hash);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}

function node(tag, props = {}, ...children) {
  const n = Object.assign(document.createElement(tag), props);
  n.append(...children);
  return n;
}

function button(text, className, onClick) {
  const b = node("button", { type: "button", className }, text);
  b.addEventListener("click", onClick);
  return b;
}

// A plot marker on a canvas: "star" (a global minimum), "circle" (another minimum), "start" (a ring).
function marker(ctx, x, y, kind) {
  ctx.beginPath();
  if (kind === "star") {
    for (let k = 0; k < 10; k++) {
      const r = k % 2 ? 4 : 9.5, a = -Math.PI / 2 + k * Math.PI / 5;
      ctx.lineTo(x + r * Math.cos(a), y + r * Math.sin(a));
    }
    ctx.closePath();
  } else {
    ctx.arc(x, y, kind === "start" ? 6 : 5, 0, 2 * Math.PI);
  }
  ctx.fillStyle = kind === "star" ? "#111827" : "#ffffff";
  ctx.strokeStyle = kind === "star" ? "#ffffff" : "#111827";
  ctx.lineWidth = kind === "star" ? 1.2 : 2;
  ctx.fill();
  ctx.stroke();
  if (kind === "start") {
    ctx.beginPath();
    ctx.arc(x, y, 2, 0, 2 * Math.PI);
    ctx.fillStyle = "#111827";
    ctx.fill();
  }
}

let instances = 0;

export function initLessons(container, app) {
  const uid = `lessons-${++instances}`;
  let catalog = null;        // [{ id, title, topic }]
  let scene = null;          // the open scene, as pycore.browser.lessons.scene returns it
  let revealing = null;      // Promise of its reveal, asked for once the scene's view is shown
  let picked = null;         // index of the chosen answer
  let phase = "closed";      // closed | asking | playing | revealed
  let ready = false;         // the scene's view is on screen
  let token = 0;             // bumps on every open/close, so a stale reply is dropped
  let unsubscribe = null;

  // ---- the static frame ------------------------------------------------------------------------------------
  const notice = node("p", { className: "lesson-notice", hidden: true });
  notice.setAttribute("role", "alert");
  const indexList = node("ol", { className: "lesson-index-list" });
  const index = node("nav", { className: "lesson-index" },
    node("h2", {}, "Lessons"),
    node("p", { className: "lesson-muted" }, "Short scenes: read, predict what the run will do, then watch it and see what pycore measured."),
    indexList);
  index.setAttribute("aria-label", "Lessons");

  const count = node("p", { className: "lesson-count" });
  const title = node("h2", { className: "lesson-title", id: `${uid}-title`, tabIndex: -1 });
  const paragraph = node("p", { className: "lesson-paragraph" });
  const legend = node("legend", { className: "lesson-question" });
  const answers = node("div", { className: "lesson-answers" });
  const fieldset = node("fieldset", { className: "lesson-choice" }, legend, answers);
  const hint = node("p", { className: "lesson-hint", id: `${uid}-hint` });
  hint.setAttribute("aria-live", "polite");
  const play = button("Play", "lesson-btn lesson-primary", onPlay);
  play.setAttribute("aria-describedby", hint.id);
  const replay = button("Play again", "lesson-btn", onReplay);
  const reveal = node("div", { className: "lesson-reveal" });
  reveal.setAttribute("role", "status");
  reveal.setAttribute("aria-live", "polite");
  const prev = button("← Previous", "lesson-btn", () => go(-1));
  const next = button("Next →", "lesson-btn", () => go(1));
  const explore = button("Explore this scene freely", "lesson-btn lesson-link", onExplore);
  const all = button("All lessons", "lesson-btn lesson-link", () => close());
  const article = node("article", { className: "lesson", hidden: true },
    count, title, paragraph, fieldset, node("div", { className: "lesson-actions" }, play, replay), hint, reveal,
    node("div", { className: "lesson-nav" }, prev, next),
    node("div", { className: "lesson-more" }, explore, all));
  article.setAttribute("aria-labelledby", title.id);
  container.classList.add("lessons");
  container.replaceChildren(notice, index, article);

  // ---- helpers ---------------------------------------------------------------------------------------------
  function say(message) {
    notice.textContent = message;
    notice.hidden = !message;
  }

  function setHash(id) {
    const url = `${location.pathname}${location.search}${id == null ? "" : `#lesson=${id}`}`;
    if (`${location.pathname}${location.search}${location.hash}` !== url) history.replaceState(history.state, "", url);
  }

  function stopListening() {
    if (unsubscribe) unsubscribe();
    unsubscribe = null;
  }

  function update() {
    app.phase?.(phase);
    const asking = phase === "asking";
    for (const input of answers.querySelectorAll("input")) input.disabled = !asking;
    play.hidden = phase === "revealed";
    play.disabled = !(asking && ready && picked !== null);
    play.textContent = phase === "playing" ? "Playing…" : "Play";
    replay.hidden = phase !== "revealed";
    hint.textContent = phase === "asking" && picked === null ? "Pick an answer first: predict, then see."
      : phase === "asking" && !ready ? "Preparing the runs…"
      : phase === "asking" ? "Now press Play and watch."
      : phase === "playing" ? "Watch the run: the answer comes when it ends." : "";
    hint.hidden = !hint.textContent;
    if (scene) {
      prev.disabled = scene.index <= 1;
      next.disabled = scene.index >= scene.count;
    }
  }

  function renderIndex() {
    indexList.replaceChildren(...(catalog || []).map((c) => node("li", {},
      button(c.title, "lesson-index-item", () => open(c.id, { focus: true })),
      node("span", { className: "lesson-muted" }, ` · ${c.topic}`))));
  }

  function renderScene(s) {
    count.textContent = `Lesson ${s.index} of ${s.count} · ${s.topic}`;
    title.textContent = s.title;
    paragraph.textContent = s.paragraph;
    legend.textContent = s.question;
    answers.replaceChildren(...s.answers.map((text, i) => {
      const input = node("input", { type: "radio", name: `${uid}-answer`, value: String(i) });
      input.addEventListener("change", () => { picked = i; update(); });
      return node("label", { className: "lesson-answer" }, input, node("span", {}, text));
    }));
    reveal.replaceChildren();
    index.hidden = true;
    article.hidden = false;
  }

  // The maps a reveal quotes (basin maps): one canvas per optimizer, y up, colours from lessons.css; the
  // surface's minima drawn as on the plot (star: global, circle: local) and the lesson's start as a ring.
  function basinMaps(maps, start) {
    const keys = Object.keys(maps);
    if (!keys.length) return [];
    const style = getComputedStyle(container);
    const colour = (name) => style.getPropertyValue(`--lesson-basin-${name}`).trim();
    const CELL = 8;
    const figures = keys.map((key) => {
      const m = maps[key];
      const canvas = node("canvas", { width: m.nx * CELL, height: m.ny * CELL, className: "lesson-basin" });
      const ctx = canvas.getContext("2d");
      m.outcomes.forEach((v, cell) => {
        const i = cell % m.nx, j = Math.floor(cell / m.nx);
        ctx.fillStyle = colour(v === -2 ? "diverged" : v === -1 ? "none" : m.minima[v].is_global ? "global" : "local");
        ctx.fillRect(i * CELL, (m.ny - 1 - j) * CELL, CELL, CELL);   // row 0 is the bottom of the view
      });
      const [[x0, x1], [y0, y1]] = m.bounds;
      const at = (x, y) => [(x - x0) / (x1 - x0) * canvas.width, (y1 - y) / (y1 - y0) * canvas.height];
      for (const min of m.minima) marker(ctx, ...at(min.x, min.y), min.is_global ? "star" : "circle");
      marker(ctx, ...at(...start), "start");
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", `Basin map of ${m.name}: every start of a ${m.nx} by ${m.ny} grid over the view, coloured by where ${m.name} ends`);
      return node("figure", { className: "lesson-basin-figure" }, canvas, node("figcaption", {}, m.name));
    });
    const swatch = (name, text) => node("li", {}, node("span", { className: `lesson-swatch lesson-swatch-${name}` }), text);
    return [node("div", { className: "lesson-basins" }, ...figures),
      node("ul", { className: "lesson-basin-legend" }, swatch("global", "ends at the deepest minimum (★)"),
        swatch("local", "ends at another minimum (○)"), swatch("none", "not at a minimum when the steps ran out"), swatch("diverged", "diverges"),
        node("li", {}, "◎ this lesson's start"))];
  }

  function renderReveal(r) {
    const right = r.right === picked;
    const verdict = node("p", { className: `lesson-verdict ${right ? "is-right" : "is-other"}` },
      right ? "Well predicted: " : "A fair guess, but the run shows something else: ",
      node("strong", {}, scene.answers[r.right]));
    if (!right) verdict.append(" ", node("span", { className: "lesson-muted" }, `(You picked: ${scene.answers[picked]})`));
    const text = node("p", { className: "lesson-reveal-text" }, ...r.parts.map((p) =>
      p.measure ? node("strong", { className: "lesson-num" }, p.text) : p.text));
    const label = node("p", { className: "lesson-measured" }, "Measured by pycore");
    reveal.replaceChildren(verdict, label, text, ...basinMaps(r.maps, scene.view.start));
  }

  // ---- actions ---------------------------------------------------------------------------------------------
  async function open(id, { focus = false } = {}) {
    const mine = ++token;
    let s;
    try {
      s = await app.call("lesson", { lesson: id });
    } catch (e) {
      if (mine !== token) return;
      say(`There is no such lesson: ${e.message}.`);
      setHash(scene ? scene.id : null);   // no change: the address keeps naming what is on screen
      return;
    }
    if (mine !== token) return;
    stopListening();
    say("");
    scene = s;
    picked = null;
    ready = false;
    phase = "asking";
    renderScene(s);
    setHash(s.id);
    update();
    if (focus) title.focus();
    try {
      await app.applyView(s.view);
    } catch (e) {
      if (mine === token) say(`This lesson's runs could not be shown: ${e.message}`);
      return;
    }
    if (mine !== token) return;
    ready = true;
    // Measured while the student reads and predicts (a basin map takes seconds in the worker), after the view's
    // own runs so they are never queued behind it; looked at when the run ends.
    revealing = app.call("lesson_reveal", { lesson: s.id });
    revealing.catch(() => {});
    update();
  }

  function onPlay() {
    if (phase !== "asking" || picked === null || !ready) return;
    phase = "playing";
    update();
    const mine = token;
    stopListening();
    unsubscribe = app.on("ended", () => {
      stopListening();
      if (mine === token && phase === "playing") showReveal(mine);
    });
    app.play();
  }

  async function showReveal(mine) {
    hint.textContent = "Measuring…";
    hint.hidden = false;
    try {
      const r = await revealing;
      if (mine !== token) return;
      phase = "revealed";
      renderReveal(r);
    } catch (e) {
      if (mine !== token) return;
      phase = "asking";
      say(`The reveal could not be computed: ${e.message}`);
    }
    update();
  }

  async function onReplay() {
    const mine = token;
    try {
      await app.applyView(scene.view);
      if (mine === token) app.play();
    } catch (e) {
      if (mine === token) say(`The scene could not be shown again: ${e.message}`);
    }
  }

  function go(step) {
    if (scene) open(scene.index + step, { focus: true });
  }

  function onExplore() {
    close();
    app.toPlayground();
  }

  function close() {
    token++;
    stopListening();
    scene = null;
    revealing = null;
    phase = "closed";
    say("");
    if (lessonInHash() !== null) setHash(null);
    article.hidden = true;
    index.hidden = false;
    update();
  }

  function onHashChange() {
    const id = lessonInHash();
    if (id !== null && String(scene?.id) !== id) open(id, { focus: true });
  }

  // ---- start -----------------------------------------------------------------------------------------------
  window.addEventListener("hashchange", onHashChange);
  app.call("lessons", {}).then((c) => { catalog = c; renderIndex(); },
    (e) => say(`The lessons could not be listed: ${e.message}`));
  update();
  if (lessonInHash() !== null) open(lessonInHash());

  return { open: (id) => open(id, { focus: true }), close, current: () => (scene ? scene.id : null) };
}
