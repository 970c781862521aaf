#!/usr/bin/env node
// Draws the Teams app icons into appPackage/: color.png (192×192, a white speech bubble holding a
// question mark on the accent colour, the symbol inside the central area Teams keeps clear of its
// rounded mask) and outline.png (32×32, the same bubble as a white outline with the question mark,
// on transparency, as Teams requires). The shapes are signed distance functions sampled 8×8 times per
// pixel, so edges are smooth at both sizes.
//
//   node scripts/draw-icons.js [out-dir] [--preview]   (default appPackage; --preview also writes
//                                                      outline-preview.png, 8× on a dark background)
//
// Plain Node (zlib) because no image library is a dependency; the result is committed, so this runs
// only when the design changes.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const ACCENT = [0x0f, 0x6c, 0xbd];
const WHITE = [255, 255, 255];

// --- shapes, in a unit square with y pointing down; negative distance is inside ---------------------
const length = (x, y) => Math.hypot(x, y);

function roundedBox(px, py, cx, cy, hw, hh, r) {
  const qx = Math.abs(px - cx) - hw + r;
  const qy = Math.abs(py - cy) - hh + r;
  return length(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}

function segment(px, py, ax, ay, bx, by) {
  const abx = bx - ax;
  const aby = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * abx + (py - ay) * aby) / (abx * abx + aby * aby)));
  return length(px - ax - abx * t, py - ay - aby * t);
}

function triangle(px, py, a, b, c) {
  // Distance to a triangle (exact outside, negative inside).
  const edges = [
    [a, b],
    [b, c],
    [c, a],
  ];
  const d = Math.min(...edges.map(([p, q]) => segment(px, py, p[0], p[1], q[0], q[1])));
  const cross = (p, q) => (q[0] - p[0]) * (py - p[1]) - (q[1] - p[1]) * (px - p[0]);
  const s = [cross(a, b), cross(b, c), cross(c, a)];
  const inside = s.every((v) => v >= 0) || s.every((v) => v <= 0);
  return inside ? -d : d;
}

/** The speech bubble: a rounded box with a tail at the lower left, scaled by `k` about the centre. */
function bubble(px, py, k) {
  const x = 0.5 + (px - 0.5) / k;
  const y = 0.5 + (py - 0.5) / k;
  const box = roundedBox(x, y, 0.5, 0.45, 0.34, 0.25, 0.11);
  const tail = triangle(x, y, [0.3, 0.6], [0.26, 0.86], [0.52, 0.62]);
  return Math.min(box, tail) * k;
}

/** A question mark: an open arc, a stem and a dot, scaled by `k` about the centre. */
function questionMark(px, py, k, stroke) {
  const x = 0.5 + (px - 0.5) / k;
  const y = 0.5 + (py - 0.5) / k;
  const cx = 0.5;
  const cy = 0.37;
  const R = 0.1;
  const w = stroke / k;
  // The arc: the circle's left, top and right, down to 40° below the right-hand side.
  const angle = Math.atan2(y - cy, x - cx);
  const open = angle > (40 * Math.PI) / 180 && angle < Math.PI * 0.97;
  const arc = open
    ? Math.min(
        length(x - (cx + R * Math.cos((40 * Math.PI) / 180)), y - (cy + R * Math.sin((40 * Math.PI) / 180))),
        length(x - (cx - R), y - cy),
      ) - w / 2
    : Math.abs(length(x - cx, y - cy) - R) - w / 2;
  const bend = [cx + R * Math.cos((40 * Math.PI) / 180), cy + R * Math.sin((40 * Math.PI) / 180)];
  const stem = Math.min(segment(x, y, bend[0], bend[1], cx, cy + R + 0.045), segment(x, y, cx, cy + R + 0.045, cx, cy + R + 0.075)) - w / 2;
  const dot = length(x - cx, y - (cy + R + 0.16)) - w * 0.62;
  return Math.min(arc, stem, dot) * k;
}

// --- rendering ---------------------------------------------------------------------------------------
const SAMPLES = 8;

/** Renders `paint(x, y)` → [rgb, alpha] (alpha 0..1) with supersampling; returns RGBA bytes. */
function render(size, paint) {
  const rgba = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py += 1) {
    for (let px = 0; px < size; px += 1) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < SAMPLES; sy += 1) {
        for (let sx = 0; sx < SAMPLES; sx += 1) {
          const [rgb, alpha] = paint((px + (sx + 0.5) / SAMPLES) / size, (py + (sy + 0.5) / SAMPLES) / size);
          r += rgb[0] * alpha;
          g += rgb[1] * alpha;
          b += rgb[2] * alpha;
          a += alpha;
        }
      }
      const i = (py * size + px) * 4;
      const n = SAMPLES * SAMPLES;
      rgba[i] = a > 0 ? Math.round(r / a) : 255;
      rgba[i + 1] = a > 0 ? Math.round(g / a) : 255;
      rgba[i + 2] = a > 0 ? Math.round(b / a) : 255;
      rgba[i + 3] = Math.round((255 * a) / n);
    }
  }
  return rgba;
}

function png(size, rgba) {
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(zlib.crc32(body) >>> 0, body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bits per channel
  header[9] = 6; // RGBA
  const stride = size * 4;
  const raw = Buffer.alloc((stride + 1) * size);
  for (let y = 0; y < size; y += 1) rgba.copy(raw, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// The colour icon: the accent fills the square; the bubble (about 60% of it) sits in the middle.
function color(x, y) {
  const inBubble = bubble(x, y, 0.66) <= 0;
  const inMark = questionMark(x, y, 0.66 * 0.8, 0.06) <= 0;
  return [inBubble && !inMark ? WHITE : ACCENT, 1];
}

// The outline icon: white only, the bubble's outline (about 2 px at 32×32) and the question mark.
function outline(x, y) {
  const d = bubble(x, y, 1.15);
  const ring = Math.abs(d + 0.032) <= 0.032;
  const mark = questionMark(x, y, 0.8, 0.07) <= 0;
  return [WHITE, ring || mark ? 1 : 0];
}

/** The outline icon enlarged 8× on Teams' dark rail, to look at: white on transparency is invisible in most viewers. */
function preview(rgba, size, scale, background) {
  const big = Buffer.alloc(size * scale * size * scale * 4);
  for (let y = 0; y < size * scale; y += 1) {
    for (let x = 0; x < size * scale; x += 1) {
      const i = (Math.floor(y / scale) * size + Math.floor(x / scale)) * 4;
      const a = rgba[i + 3] / 255;
      const o = (y * size * scale + x) * 4;
      for (let c = 0; c < 3; c += 1) big[o + c] = Math.round(rgba[i + c] * a + background[c] * (1 - a));
      big[o + 3] = 255;
    }
  }
  return png(size * scale, big);
}

const args = process.argv.slice(2);
const out = path.resolve(args.find((a) => !a.startsWith('--')) ?? path.join(__dirname, '..', 'appPackage'));
fs.mkdirSync(out, { recursive: true });
const outlinePixels = render(32, outline);
fs.writeFileSync(path.join(out, 'color.png'), png(192, render(192, color)));
fs.writeFileSync(path.join(out, 'outline.png'), png(32, outlinePixels));
if (args.includes('--preview')) fs.writeFileSync(path.join(out, 'outline-preview.png'), preview(outlinePixels, 32, 8, [0x29, 0x29, 0x3b]));
console.log(`wrote ${path.join(out, 'color.png')} and ${path.join(out, 'outline.png')}`);
