#!/usr/bin/env node
// Draws build/icon.png (512x512 RGBA), the app icon electron-builder turns into .icns/.ico/desktop icons:
// a small target network (teal) whose connections are driven by a hypernetwork node (amber): weights are wires.
// Run: node build/make-icon.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SIZE = 512;
const BG_TOP = [30, 36, 66];
const BG_BOTTOM = [15, 18, 36];
const TEAL = [46, 196, 182];
const TEAL_LIGHT = [205, 246, 240];
const AMBER = [255, 159, 28];
const AMBER_DARK = [158, 84, 0];

// --- shapes as signed distance functions (negative inside) ---
const circle = (cx, cy, r) => (x, y) => Math.hypot(x - cx, y - cy) - r;
const segment = (ax, ay, bx, by, w) => (x, y) => {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - (ax + t * dx), y - (ay + t * dy)) - w / 2;
};
const roundedRect = (x0, y0, x1, y1, r) => (x, y) => {
  const qx = Math.abs(x - (x0 + x1) / 2) - ((x1 - x0) / 2 - r);
  const qy = Math.abs(y - (y0 + y1) / 2) - ((y1 - y0) / 2 - r);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
};

// --- the picture ---
const inputs = [
  [262, 150],
  [262, 256],
  [262, 362],
];
const outputs = [
  [414, 203],
  [414, 309],
];
const hyper = [122, 256];
const layers = [];
const background = roundedRect(24, 24, 488, 488, 104);
layers.push({ shape: background, color: (x, y) => mix(BG_TOP, BG_BOTTOM, (y - 24) / 464) });
for (const [ax, ay] of inputs) for (const [bx, by] of outputs) layers.push({ shape: segment(ax, ay, bx, by, 9), color: TEAL, alpha: 0.85 });
// The hypernetwork drives three of the connections: amber wires ending on the connections' midpoints.
const driven = [
  [inputs[0], outputs[0]],
  [inputs[1], outputs[1]],
  [inputs[2], outputs[1]],
];
const targets = driven.map(([[ax, ay], [bx, by]]) => [(ax + bx) / 2, (ay + by) / 2]);
for (const [tx, ty] of targets) layers.push({ shape: segment(hyper[0], hyper[1], tx, ty, 7), color: AMBER });
for (const [x, y] of [...inputs, ...outputs]) {
  layers.push({ shape: circle(x, y, 31), color: TEAL });
  layers.push({ shape: circle(x, y, 15), color: TEAL_LIGHT });
}
for (const [tx, ty] of targets) {
  layers.push({ shape: circle(tx, ty, 13), color: AMBER_DARK });
  layers.push({ shape: circle(tx, ty, 9), color: AMBER });
}
layers.push({ shape: circle(hyper[0], hyper[1], 52), color: AMBER });
layers.push({ shape: circle(hyper[0], hyper[1], 30), color: AMBER_DARK });
layers.push({ shape: circle(hyper[0], hyper[1], 17), color: AMBER });

function mix(a, b, t) {
  const u = Math.max(0, Math.min(1, t));
  return a.map((v, i) => v + (b[i] - v) * u);
}

// --- rasterise with 1-pixel anti-aliasing, premultiplied-free "over" compositing on a transparent canvas ---
const rgba = Buffer.alloc(SIZE * SIZE * 4);
for (let py = 0; py < SIZE; py++) {
  for (let px = 0; px < SIZE; px++) {
    const x = px + 0.5;
    const y = py + 0.5;
    let r = 0;
    let g = 0;
    let b = 0;
    let a = 0;
    for (const layer of layers) {
      const coverage = Math.max(0, Math.min(1, 0.5 - layer.shape(x, y))) * (layer.alpha ?? 1);
      if (coverage <= 0) continue;
      const c = typeof layer.color === 'function' ? layer.color(x, y) : layer.color;
      const outA = coverage + a * (1 - coverage);
      r = (c[0] * coverage + r * a * (1 - coverage)) / outA;
      g = (c[1] * coverage + g * a * (1 - coverage)) / outA;
      b = (c[2] * coverage + b * a * (1 - coverage)) / outA;
      a = outA;
    }
    const o = (py * SIZE + px) * 4;
    rgba[o] = Math.round(r);
    rgba[o + 1] = Math.round(g);
    rgba[o + 2] = Math.round(b);
    rgba[o + 3] = Math.round(a * 255);
  }
}

// --- PNG encoding: signature, IHDR, IDAT (filter 0 per row, zlib), IEND ---
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(SIZE, 0);
ihdr.writeUInt32BE(SIZE, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // colour type RGBA
const raw = Buffer.alloc((SIZE * 4 + 1) * SIZE);
for (let y = 0; y < SIZE; y++) rgba.copy(raw, y * (SIZE * 4 + 1) + 1, y * SIZE * 4, (y + 1) * SIZE * 4);
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const out = new URL('./icon.png', import.meta.url);
writeFileSync(out, png);
console.log(`wrote ${out.pathname} (${png.length} bytes)`);
