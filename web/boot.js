// Runs before the first paint (index.html's one parser-blocking script, in its head): a link opens its own
// view, not the opening one, so index.html's snapshot of the opening view then shows its surface without its race
// (web/app.css, `.linked`). Everything else starts in web/app.js.
if (location.hash.length > 1) document.documentElement.classList.add("linked");
