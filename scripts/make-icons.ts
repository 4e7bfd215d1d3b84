/**
 * Draws the Teams app icons, deterministically, and writes them to manifest/ (`npm run icons`):
 *
 * - `color.png`, 192×192: a white upward arrow on a rounded square in the accent colour, transparent outside
 *   the square's rounded corners; edges anti-aliased by 4×4 supersampling.
 * - `outline.png`, 32×32: the same arrow, pure white on a fully transparent background, every pixel either
 *   opaque white or fully transparent (what Teams asks of an outline icon).
 *
 * The drawing functions are exported for the tests (test/manifest/), which check that the committed icons
 * are exactly what this script draws.
 */
import { writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import { MANIFEST_DIR } from './teams-package.js';

export const COLOR_SIZE = 192;
export const OUTLINE_SIZE = 32;

/** The manifest's `accentColor` (#0F6CBD), the colour of the rounded square. */
export const ACCENT: readonly [number, number, number] = [0x0f, 0x6c, 0xbd];

/** A box in pixels: where the glyph is drawn. */
interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * The upward arrow in unit coordinates (u across, v down, both 0..1): a triangular head whose apex is the top
 * centre and whose base spans the full width at mid-height, over a centred shaft.
 */
export function inArrow(u: number, v: number): boolean {
  if (u < 0 || u > 1 || v < 0 || v > 1) return false;
  if (v <= 0.5) return Math.abs(u - 0.5) <= v; // the head: half-width grows from 0 at the apex to 0.5
  return u >= 0.32 && u <= 0.68; // the shaft
}

function inGlyph(x: number, y: number, box: Box): boolean {
  return inArrow((x - box.x) / box.width, (y - box.y) / box.height);
}

/** Inside a square of side `size` at the origin with corners rounded to `radius`. */
function inRoundedSquare(x: number, y: number, size: number, radius: number): boolean {
  if (x < 0 || y < 0 || x > size || y > size) return false;
  const cx = Math.min(Math.max(x, radius), size - radius);
  const cy = Math.min(Math.max(y, radius), size - radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
}

const SUPERSAMPLING = 4;

/** 192×192: white arrow on the accent-coloured rounded square, anti-aliased. */
export function drawColorIcon(): PNG {
  const size = COLOR_SIZE;
  const png = new PNG({ width: size, height: size });
  const radius = 36;
  // The glyph sits in the middle, inside the 120×120 area Teams keeps clear of its own cropping.
  const glyph: Box = { x: 51, y: 46, width: 90, height: 100 };
  const samples = SUPERSAMPLING * SUPERSAMPLING;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let alpha = 0;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sy = 0; sy < SUPERSAMPLING; sy++) {
        for (let sx = 0; sx < SUPERSAMPLING; sx++) {
          const x = px + (sx + 0.5) / SUPERSAMPLING;
          const y = py + (sy + 0.5) / SUPERSAMPLING;
          if (!inRoundedSquare(x, y, size, radius)) continue;
          alpha += 1;
          const [cr, cg, cb] = inGlyph(x, y, glyph) ? [255, 255, 255] : ACCENT;
          r += cr;
          g += cg;
          b += cb;
        }
      }
      const i = (py * size + px) * 4;
      // Straight (not premultiplied) colour: the average over the covered samples.
      png.data[i] = alpha === 0 ? 0 : Math.round(r / alpha);
      png.data[i + 1] = alpha === 0 ? 0 : Math.round(g / alpha);
      png.data[i + 2] = alpha === 0 ? 0 : Math.round(b / alpha);
      png.data[i + 3] = Math.round((alpha / samples) * 255);
    }
  }
  return png;
}

/** 32×32: the arrow in opaque white on full transparency, sampled at pixel centres (no anti-aliasing). */
export function drawOutlineIcon(): PNG {
  const size = OUTLINE_SIZE;
  const png = new PNG({ width: size, height: size });
  const glyph: Box = { x: 3, y: 2, width: 26, height: 28 };
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const on = inGlyph(px + 0.5, py + 0.5, glyph);
      const i = (py * size + px) * 4;
      png.data[i] = on ? 255 : 0;
      png.data[i + 1] = on ? 255 : 0;
      png.data[i + 2] = on ? 255 : 0;
      png.data[i + 3] = on ? 255 : 0;
    }
  }
  return png;
}

/** Writes both icons into `dir` (manifest/ by default); returns the paths written. */
export function writeIcons(dir: string = MANIFEST_DIR): string[] {
  const files: [string, PNG][] = [
    ['color.png', drawColorIcon()],
    ['outline.png', drawOutlineIcon()],
  ];
  return files.map(([name, png]) => {
    const path = join(dir, name);
    writeFileSync(path, PNG.sync.write(png, { colorType: 6 }));
    return path;
  });
}

const isMain =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  for (const path of writeIcons()) console.log(`Wrote ${relative(process.cwd(), path) || path}`);
}
