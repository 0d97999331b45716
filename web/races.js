// A race as the worker sends it (pycore.browser.runs.pack): per optimizer a record with its offset into one
// Float64Array holding its points (x0, y0, x1, y1, ...) then its losses. Unpacked into what the view draws.

// base64 of little-endian float64 (web/first_view.json) -> Float64Array, bit for bit.
export function decodeFloats(b64) {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float64Array(bytes.buffer);
}

// { runs: {key: {...record, points: [[x, y], ...], losses: Float64Array}}, errors } from a race.
export function unpackRace(res) {
  const runs = {};
  for (const [key, rec] of Object.entries(res.runs)) {
    const { n, offset: o } = rec;
    const xy = res.floats.subarray(o, o + 2 * n);
    const points = new Array(n);
    for (let i = 0; i < n; i++) points[i] = [xy[2 * i], xy[2 * i + 1]];
    runs[key] = { ...rec, points, losses: res.floats.subarray(o + 2 * n, o + 3 * n) };
  }
  return { runs, errors: res.errors };
}
