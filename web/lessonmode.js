// Lessons mode: a "Lessons" button in the header opens a card at the top of the side panel holding the lessons
// (web/lessons.js: "predict, then see"). While a lesson is open, the page's own playback controls and the plot's
// clicks are locked (the lesson's Play drives the run), and what would give the answer away before the run has
// played (outcome badges, the loss chart, the runs table) stays hidden until the reveal. "Explore this scene
// freely" and the card's close button return to the free playground with the scene's settings.
import { initLessons, lessonInHash } from "./lessons.js";

// app: { S, call, applyView(view), play(), pause(), on(event, fn), lock(on), writeHash() }.
export function initLessonMode(app) {
  const side = document.querySelector(".side");
  const card = Object.assign(document.createElement("section"), { id: "lessons-card", className: "card lessons-card", hidden: true });
  card.setAttribute("aria-label", "Lessons");
  const close = Object.assign(document.createElement("button"), { type: "button", className: "close", textContent: "×" });
  close.setAttribute("aria-label", "Leave the lessons for the free playground");
  const body = document.createElement("div");
  card.append(close, body);
  side.prepend(card);
  const button = document.getElementById("lessons-open");    // in index.html, so the header never moves
  button.disabled = false;

  const phase = (p) => {
    document.body.dataset.lesson = p === "closed" ? "index" : p;
  };
  function enter() {
    app.S.lesson = true;
    card.hidden = false;
    side.classList.add("lessoning");
    app.lock(true);
    button.setAttribute("aria-pressed", "true");
  }
  function leave() {
    app.S.lesson = false;
    card.hidden = true;
    side.classList.remove("lessoning");
    delete document.body.dataset.lesson;
    app.lock(false);
    button.setAttribute("aria-pressed", "false");
    app.writeHash();
  }
  const lessons = initLessons(body, {
    call: app.call, applyView: app.applyView, play: app.play, pause: app.pause, on: app.on, phase,
    toPlayground: leave,
  });
  button.addEventListener("click", () => { enter(); card.scrollIntoView({ block: "nearest" }); });
  close.addEventListener("click", () => { lessons.close(); leave(); });
  window.addEventListener("hashchange", () => { if (lessonInHash() !== null && !app.S.lesson) enter(); });
  if (lessonInHash() !== null) enter();
  return { lessons, enter, leave };
}
