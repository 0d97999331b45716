// optviz service worker: the page keeps working with no server after one visit.
// Strategy: network first for every same-origin GET (so an edited file is never served stale), each good
// response kept in the cache; when the network fails, the cached copy. The page sends the list of files it
// loaded on its first visit (before this worker controlled it) so those are cached too (web/share.js). The
// cache name carries a version; activating a new version deletes every other optviz cache.
const VERSION = 1;
const CACHE = `optviz-v${VERSION}`;
const CORE = ["./", "./index.html", "./manifest.webmanifest", "./pyscript.toml"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(CORE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("optviz-") && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// A response worth keeping, unless the cache already holds the same version (same size and date).
async function keep(cache, request, response) {
  if (!response.ok || response.type !== "basic") return;
  const old = await cache.match(request);
  const tag = (r) => `${r.headers.get("content-length")}|${r.headers.get("last-modified")}|${r.headers.get("etag")}`;
  if (old && tag(old) === tag(response)) return;
  await cache.put(request, response.clone());
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    await keep(cache, request, response);
    return response;
  } catch (err) {
    const hit = await cache.match(request, { ignoreSearch: true });
    if (hit) return hit;
    if (request.mode === "navigate") {
      const page = await cache.match("./index.html");
      if (page) return page;
    }
    throw err;
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(networkFirst(request));
});

// {type: "cache", files: [urls]} from the page: fetch and keep each; replies {cached, failed}.
self.addEventListener("message", (event) => {
  if (event.data?.type !== "cache") return;
  const scope = self.registration.scope;
  const files = event.data.files.filter((u) => typeof u === "string" && u.startsWith(scope));
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const failed = [];
    for (const url of files) {
      try {
        const response = await fetch(url);
        if (!response.ok) throw new Error(String(response.status));
        await keep(cache, url, response);
      } catch {
        failed.push(url);
      }
    }
    event.ports[0].postMessage({ cached: files.length - failed.length, failed });
  })());
});
