"""Draw the page's app icons (web/icons/icon-<size>.png, plus a maskable one) with Pillow.

The picture: contour ellipses of a valley on the page's accent blue and a path of dots running down to the
minimum. Run ``python3 tools/make_icons.py`` after changing it; the PNGs are committed.
"""
import math
import pathlib

from PIL import Image, ImageDraw

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "web" / "icons"
ACCENT = (36, 88, 214)
SIZES = (192, 512)


def draw(size, maskable=False):
    """The icon at ``size`` px; a maskable icon keeps its drawing inside the central 80 % safe zone."""
    k = 4  # drawn 4x larger, then downsampled for smooth edges
    s = size * k
    img = Image.new("RGB", (s, s), ACCENT)
    d = ImageDraw.Draw(img)
    if not maskable:
        img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
        d = ImageDraw.Draw(img)
        d.rounded_rectangle((0, 0, s - 1, s - 1), radius=s * 0.22, fill=ACCENT)
    scale = 0.8 if maskable else 1.0
    cx, cy = s * 0.56, s * 0.6
    for i in range(5, 0, -1):
        rx, ry = s * 0.085 * i * scale, s * 0.05 * i * scale
        shade = 255 - i * 22
        d.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), outline=(shade, shade, 255), width=max(1, s // 90))
    pts = []
    for j in range(7):
        t = j / 6
        pts.append((cx + (-0.33 + 0.33 * t) * s * scale, cy + (-0.36 * (1 - t) ** 1.6) * s * scale
                    + 0.04 * s * scale * math.sin(math.pi * t * 3) * (1 - t)))
    d.line(pts, fill=(255, 180, 40), width=s // 40, joint="curve")
    for x, y in pts:
        r = s // 45
        d.ellipse((x - r, y - r, x + r, y + r), fill=(255, 180, 40))
    r = s // 26
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(255, 255, 255))
    return img.resize((size, size), Image.LANCZOS)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        draw(size).save(OUT / f"icon-{size}.png", optimize=True)
    draw(512, maskable=True).save(OUT / "icon-maskable-512.png", optimize=True)
    print(f"icons written to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
