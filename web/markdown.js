// Markdown of the project's docs (docs/*.md, the files GitHub renders) to HTML for the page, offline:
// marked for the markdown, KaTeX (the global `katex`, which web/learn.js loads with web/tex.js before rendering a
// doc) for GitHub's math: `$$ … $$` display and `$ … $` inline.
// Relative links and images are resolved against the doc's own URL, so figures load from any sub-path; a link or
// image whose URL cannot be parsed (`[x](http://[invalid)`) is shown as its text, and the rest of the doc renders.
// Raw HTML in a doc is not trusted: comments are dropped, `<a id="…"></a>` anchors and attribute-free
// `<details>`/`<summary>` (collapsible answers and notes) are kept, the rest is text.
import { Marked } from "./vendor/marked/marked.esm.js";

const esc = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// KaTeX never throws here: a formula it cannot parse is shown as its source with class katex-error (tests
// assert there is none).
const tex = (src, displayMode) => katex.renderToString(src.trim(), { displayMode, throwOnError: false, output: "htmlAndMathml" });

const mathBlock = {
  name: "mathBlock",
  level: "block",
  start: (src) => src.match(/^ {0,3}\$\$/m)?.index,
  tokenizer(src) {
    const m = /^ {0,3}\$\$([\s\S]+?)\$\$[ \t]*(?:\n+|$)/.exec(src);
    if (m) return { type: "mathBlock", raw: m[0], text: m[1] };
  },
  renderer: (t) => `<div class="math-display">${tex(t.text, true)}</div>\n`,
};

// GitHub's inline rule: no space just inside the dollars, no digit right after the closing one.
const mathInline = {
  name: "mathInline",
  level: "inline",
  start: (src) => src.indexOf("$") < 0 ? undefined : src.indexOf("$"),
  tokenizer(src) {
    const d = /^\$\$([\s\S]+?)\$\$/.exec(src);
    if (d) return { type: "mathInline", raw: d[0], text: d[1], display: true };
    const m = /^\$(?![\s$])((?:\\[\s\S]|[^\\$])*?[^\\\s$])\$(?!\d)/.exec(src);
    if (m) return { type: "mathInline", raw: m[0], text: m[1], display: false };
  },
  renderer: (t) => tex(t.text, t.display),
};

// A block of `<details>`, `</details>`, `<summary>text</summary>` (no attributes) and comments, in any sequence:
// the tags are kept, the summary's text escaped, comments dropped. Anything else in `raw` gives null.
const FOLD = /^\s*(?:(<\/?details>)|<summary>([^<]*)<\/summary>|<!--[\s\S]*?-->)/;
function fold(raw) {
  let out = "";
  for (let rest = raw, m; rest.trim(); rest = rest.slice(m[0].length)) {
    m = FOLD.exec(rest);
    if (!m) return null;
    out += m[1] ?? (m[2] === undefined ? "" : `<summary>${esc(m[2])}</summary>`);
  }
  return out;
}

// GitHub-style heading slug: lower case, punctuation dropped, spaces to hyphens.
export const slug = (text) => text.toLowerCase().trim().replace(/<[^>]+>/g, "").replace(/[^\w\- ]+/g, "").replace(/ /g, "-");

/**
 * Renders `text`, the markdown fetched from `url` (absolute), to an HTML string.
 * Element ids get `idPrefix` (the page renders several docs that share anchor names); links into a doc
 * keep their target in data-doc / data-anchor so the page can open them in place.
 */
export function renderMarkdown(text, url, idPrefix) {
  // The URL of a link or image, or null when it is not one (new URL throws on `http://[invalid`).
  const resolve = (href) => {
    try {
      return new URL(href, url);
    } catch {
      return null;
    }
  };
  const renderer = {
    heading({ tokens, depth, text: raw }) {
      return `<h${depth} id="${idPrefix}${slug(raw)}">${this.parser.parseInline(tokens)}</h${depth}>\n`;
    },
    // Inline HTML comes one tag at a time: `<a id="…">` and `</a>` separately.
    html({ text: raw, block }) {
      const anchor = /^\s*<a id="([\w-]+)">(<\/a>)?\s*$/.exec(raw);
      if (anchor) return `<a id="${idPrefix}${anchor[1]}">${anchor[2] || ""}`;
      if (/^\s*<\/a>\s*$/.test(raw)) return "</a>";
      if (/^\s*<!--[\s\S]*?-->\s*$/.test(raw)) return "";
      const folded = block ? fold(raw) : null;  // never `false`: marked would fall back to raw HTML
      return folded ?? esc(raw);
    },
    link({ href, title, tokens }) {
      const body = this.parser.parseInline(tokens);
      const t = title ? ` title="${esc(title)}"` : "";
      const u = resolve(href);
      if (!u || !/^https?:$/.test(u.protocol)) return body;  // not a URL, or javascript:, data: or other schemes
      if (u.origin !== location.origin) return `<a href="${esc(u.href)}"${t} target="_blank" rel="noopener noreferrer">${body}</a>`;
      const anchor = u.hash.slice(1);
      if (u.pathname.endsWith(".md")) {
        return `<a href="${esc(u.href)}"${t} data-doc="${esc(u.origin + u.pathname)}" data-anchor="${esc(anchor)}">${body}</a>`;
      }
      return `<a href="${esc(u.href)}"${t} target="_blank" rel="noopener">${body}</a>`;
    },
    image({ href, title, text: alt }) {
      const u = resolve(href);
      if (!u || u.origin !== location.origin) return esc(alt);  // figures are the project's own; nothing else loads
      const t = ` title="${esc(title || alt)}"`;
      return `<img src="${esc(u.href)}" alt="${esc(alt)}"${t} loading="lazy" decoding="async">`;
    },
  };
  const md = new Marked({ gfm: true, extensions: [mathBlock, mathInline], renderer });
  return md.parse(text);
}
