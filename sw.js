// optviz service worker: the page keeps working with no server after one visit, and never runs a mix of old and
// new files.
//
// Online, every same-origin GET goes to the network with `cache: "no-cache"`: the browser must revalidate its
// stored copy with the server (tools/serve.py answers with content hashes as ETags), so an edited file is always
// fetched anew, whatever its modification time. Offline, files come from the last complete snapshot.
//
// A snapshot is a manifest {url: etag} plus one cache entry per (url, etag). After a page has loaded, it asks
// for a snapshot: every file this worker has served, and the ones the page loads only on demand, are fetched
// again (revalidated, so unchanged files cost a 304); only changed files are stored; the new manifest replaces
// the old one in a single write, and entries no manifest names are deleted. So the offline page is always one
// version: the one of the last complete snapshot.
// The cache's name says the format of its keys: a cache of another name (an older format) is deleted on activation.
const CACHE = "optviz-2";
const MANIFEST = "./__optviz_manifest__";

// One entry per (url, etag). The etag goes in the query: the Cache API ignores a URL's fragment when it matches, so
// a key that carried it there named one entry per URL, which a new version replaced before its snapshot was whole.
const keyOf = (url, etag) => `${url}${url.includes("?") ? "&" : "?"}__optviz_etag=${encodeURIComponent(etag || "none")}`;

async function manifest(cache) {
  const r = await cache.match(MANIFEST);
  return r ? r.json() : {};
}

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name.startsWith("optviz") && name !== CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

const served = new Set();      // every same-origin URL this worker has answered (the page's and its workers')

async function fromSnapshot(request) {
  const cache = await caches.open(CACHE);
  const m = await manifest(cache);
  const url = request.url.split("#")[0];
  const hit = url in m ? await cache.match(keyOf(url, m[url])) : null;
  if (hit) return hit;
  if (request.mode === "navigate") {
    const index = Object.keys(m).find((u) => u.endsWith("/index.html") || u.endsWith("/"));
    if (index) return cache.match(keyOf(index, m[index]));
  }
  return null;
}

async function networkFirst(request) {
  try {
    const response = await fetch(request, { cache: "no-cache" });
    if (response.ok) served.add(request.url.split("#")[0]);
    return response;
  } catch (err) {
    const hit = await fromSnapshot(request);
    if (hit) return hit;
    throw err;
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  if (request.headers.has("range")) return;
  event.respondWith(networkFirst(request));
});

// {type: "snapshot", files: [urls]} from the page: one complete, consistent offline copy; replies
// {cached: n, failed: [urls]}. A failed file keeps the previous snapshot in force.
async function snapshot(files, scope) {
  const cache = await caches.open(CACHE);
  const old = await manifest(cache);
  const next = {}, failed = [];
  const urls = [...new Set([...files, ...served])].filter((u) => u.startsWith(scope));
  for (const url of urls) {
    try {
      const response = await fetch(url, { cache: "no-cache" });
      if (!response.ok || response.type !== "basic") throw new Error(String(response.status));
      const etag = response.headers.get("etag");
      next[url] = etag;
      if (!(old[url] === etag && etag && await cache.match(keyOf(url, etag)))) await cache.put(keyOf(url, etag), response);
    } catch {
      failed.push(url);
    }
  }
  if (failed.length) return { cached: urls.length - failed.length, failed };
  await cache.put(MANIFEST, new Response(JSON.stringify(next), { headers: { "content-type": "application/json" } }));
  const keep = new Set(Object.entries(next).map(([u, e]) => keyOf(u, e)).concat([new URL(MANIFEST, scope).href]));
  for (const req of await cache.keys()) if (!keep.has(req.url)) await cache.delete(req);
  return { cached: urls.length, failed };
}

self.addEventListener("message", (event) => {
  if (event.data?.type !== "snapshot") return;
  const scope = self.registration.scope;
  const files = event.data.files.filter((u) => typeof u === "string");
  event.waitUntil(snapshot(files, scope).then((result) => event.ports[0].postMessage(result)));
});
