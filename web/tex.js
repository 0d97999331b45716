// KaTeX (web/vendor/katex), loaded after the opening plot is painted: its 270 kB script and its stylesheet are
// not needed to draw a surface, and fetched with the page they delayed the first paint. Formulas asked for before
// it arrives show their source as text and are typeset when it does.
const here = (path) => new URL(path, import.meta.url).href;
let loading = null;
const latest = new WeakMap();    // node -> the formula last asked for there (an older one never overwrites it)

// Starts loading KaTeX (once; again after a failed attempt); resolves with it.
export function loadTex() {
  loading ??= new Promise((resolve, reject) => {
    const css = Object.assign(document.createElement("link"), { rel: "stylesheet", href: here("./vendor/katex/katex.min.css") });
    const js = Object.assign(document.createElement("script"), { src: here("./vendor/katex/katex.min.js") });
    js.addEventListener("load", () => resolve(window.katex));
    js.addEventListener("error", () => {
      loading = null;
      css.remove();
      js.remove();
      reject(new Error("KaTeX (web/vendor/katex) could not be loaded"));
    });
    document.head.append(css, js);
  });
  return loading;
}

// Typesets `src` into `node`, inline; `fallback` is shown if KaTeX cannot parse it, and until KaTeX has loaded.
export function tex(node, src, { fallback = src } = {}) {
  latest.set(node, src);
  const put = (katex) => {
    if (latest.get(node) !== src) return;
    try { katex.render(src, node, { throwOnError: true }); } catch { node.textContent = fallback; }
  };
  if (window.katex) return put(window.katex);
  node.textContent = fallback;
  loadTex().then(put, () => {});
}
