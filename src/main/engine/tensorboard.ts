/**
 * TensorBoard event files for a run: `events.out.tfevents.<unix seconds>.<host>` in a folder TensorBoard reads
 * (`tensorboard --logdir DIR`). The format is TensorFlow's: TFRecord framing (a little-endian uint64 length, the
 * masked CRC-32C of those 8 bytes, the data, the masked CRC-32C of the data) around `Event` protobufs, the first
 * carrying `file_version: "brain.Event:2"`. The few messages needed are encoded here by hand
 * (tensorflow/core/util/event.proto, framework/summary.proto):
 *
 *   Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
 *   Summary { repeated Value value = 1; }   Value { string tag = 1; float simple_value = 2; HistogramProto histo = 5; }
 *   HistogramProto { double min = 1, max = 2, num = 3, sum = 4, sum_squares = 5;
 *                    repeated double bucket_limit = 6 [packed], bucket = 7 [packed]; }
 *
 * {@link TensorboardLog} maps the engine's events to scalars and histograms: the loss and each of its parts per
 * step, evaluation metrics per split and task, steps per second, the final test metrics, and each generated
 * tensor's norm and histogram. The app writes one into every run's folder; `hnet train --logdir DIR` too.
 * Writes are buffered and appended a few times a second; a failure is reported once and never ends a run.
 *
 * @example
 * const tb = new TensorboardLog(join(runDir, 'tensorboard'));
 * run.on((e) => tb.event(e));
 * await run.done; await tb.close();
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { EngineEvent, WeightHistogram } from '../../shared/api/events';

// ---------------------------------------------------------------------------------------------------------------
// CRC-32C (Castagnoli), as TFRecord masks it
// ---------------------------------------------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** TFRecord's masked CRC: rotate right by 15 bits, add a constant (mod 2³²). */
export const maskedCrc = (bytes: Uint8Array): number => {
  const c = crc32c(bytes);
  return (((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0;
};

/** One TFRecord: length, its masked CRC, the data, its masked CRC. */
export function tfRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + 4 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc(data), true);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Protobuf, the parts these messages use
// ---------------------------------------------------------------------------------------------------------------

class Proto {
  private readonly parts: Uint8Array[] = [];
  private varint(n: number | bigint): void {
    let v = BigInt(n);
    if (v < 0n) v += 1n << 64n; // int64: two's complement in ten bytes
    const bytes: number[] = [];
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) b |= 0x80;
      bytes.push(b);
    } while (v > 0n);
    this.parts.push(Uint8Array.from(bytes));
  }
  private key(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }
  double(field: number, v: number): this {
    this.key(field, 1);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    this.parts.push(b);
    return this;
  }
  float(field: number, v: number): this {
    this.key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.parts.push(b);
    return this;
  }
  int64(field: number, v: number): this {
    this.key(field, 0);
    this.varint(v);
    return this;
  }
  bytes(field: number, b: Uint8Array): this {
    this.key(field, 2);
    this.varint(b.length);
    this.parts.push(b);
    return this;
  }
  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }
  message(field: number, m: Proto): this {
    return this.bytes(field, m.finish());
  }
  packedDoubles(field: number, xs: readonly number[]): this {
    const b = new Uint8Array(8 * xs.length);
    const view = new DataView(b.buffer);
    xs.forEach((x, i) => view.setFloat64(8 * i, x, true));
    return this.bytes(field, b);
  }
  finish(): Uint8Array {
    const n = this.parts.reduce((a, p) => a + p.length, 0);
    const out = new Uint8Array(n);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** A summary value: a scalar, or a histogram. */
export type SummaryValue = { tag: string; value: number } | { tag: string; histogram: WeightHistogram };

function eventBytes(wallTime: number, step: number, content: { fileVersion: string } | { values: SummaryValue[] }): Uint8Array {
  const e = new Proto().double(1, wallTime).int64(2, step);
  if ('fileVersion' in content) return e.string(3, content.fileVersion).finish();
  const summary = new Proto();
  for (const v of content.values) {
    const value = new Proto().string(1, v.tag);
    if ('value' in v) value.float(2, v.value);
    else {
      const h = v.histogram;
      value.message(
        5,
        new Proto().double(1, h.min).double(2, h.max).double(3, h.num).double(4, h.sum).double(5, h.sumSquares).packedDoubles(6, h.limits).packedDoubles(7, h.counts),
      );
    }
    summary.message(1, value);
  }
  return e.message(5, summary).finish();
}

// ---------------------------------------------------------------------------------------------------------------
// The file
// ---------------------------------------------------------------------------------------------------------------

/** An event file being written: records buffered and appended every `everyMs`, and at {@link flush}. */
export class EventFileWriter {
  readonly path: string;
  private pending: Uint8Array[] = [];
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private failed = false;

  constructor(
    dir: string,
    private readonly onError: (e: unknown) => void = () => {},
    private readonly everyMs = 500,
    now = Date.now(),
  ) {
    this.path = join(dir, `events.out.tfevents.${Math.floor(now / 1000)}.${hostname()}`);
    // The header record is written at once, so TensorBoard sees the run from its start.
    try {
      mkdirSync(dir, { recursive: true });
      appendFileSync(this.path, tfRecord(eventBytes(now / 1000, 0, { fileVersion: 'brain.Event:2' })));
    } catch (e) {
      this.fail(e);
    }
  }

  write(step: number, values: SummaryValue[], wallTime = Date.now() / 1000): void {
    if (this.failed || values.length === 0) return;
    this.pending.push(tfRecord(eventBytes(wallTime, step, { values })));
    if (!this.timer) this.timer = setTimeout(() => void this.flush(), this.everyMs);
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const chunk = this.pending;
    this.pending = [];
    if (chunk.length && !this.failed)
      this.chain = this.chain.then(async () => {
        try {
          await mkdir(join(this.path, '..'), { recursive: true });
          await appendFile(this.path, Buffer.concat(chunk));
        } catch (e) {
          this.fail(e);
        }
      });
    return this.chain;
  }

  private fail(e: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.onError(e);
  }
}

/** A part of a tag: letters, digits, `_`, `.`, `/` and `-` as they are, anything else as `_`. */
const tagPart = (s: string) => s.replace(/[^\w./-]+/g, '_');

/**
 * A run's TensorBoard log, fed the engine's events (step, eval, done, weights; the others are ignored):
 * - `train/loss`, `train/loss/<part>` and `train/steps_per_second` per step event;
 * - `<split>/<metric>` (mean over the tasks evaluated) and `<split>/<metric>/task<k>` per evaluation, `split` being
 *   `val` or `test`;
 * - `final/<metric>` and `final/<metric>/task<k>` at the end (the final evaluation, on the test set);
 * - `generated/<head>/<node>.<port>`: a histogram of each generated tensor's values, and `.../norm` its norm.
 */
export class TensorboardLog {
  private readonly file: EventFileWriter;
  constructor(dir: string, onError?: (e: unknown) => void) {
    this.file = new EventFileWriter(dir, onError);
  }
  get path(): string {
    return this.file.path;
  }

  event(e: EngineEvent): void {
    switch (e.event) {
      case 'step': {
        const values: SummaryValue[] = [{ tag: 'train/loss', value: e.loss }];
        for (const [part, v] of Object.entries(e.losses)) if (typeof v === 'number') values.push({ tag: `train/loss/${tagPart(part)}`, value: v });
        if (e.stepsPerSecond > 0) values.push({ tag: 'train/steps_per_second', value: e.stepsPerSecond });
        this.file.write(e.step, values);
        return;
      }
      case 'eval': {
        const split = e.split ?? 'eval';
        const values: SummaryValue[] = Object.entries(e.metrics).map(([m, v]) => ({ tag: `${split}/${tagPart(m)}`, value: v }));
        for (const [task, metrics] of Object.entries(e.perTask))
          for (const [m, v] of Object.entries(metrics)) values.push({ tag: `${split}/${tagPart(m)}/task${task}`, value: v });
        this.file.write(e.step, values);
        return;
      }
      case 'done':
        this.file.write(
          e.step,
          Object.entries(e.metrics).map(([m, v]) => ({ tag: `final/${tagPart(m)}`, value: v })),
        );
        return;
      case 'weights': {
        const values: SummaryValue[] = [];
        for (const s of e.stats) {
          const tag = `generated/${tagPart(s.head)}/${tagPart(s.target)}`;
          values.push({ tag: `${tag}/norm`, value: s.norm });
          if (s.histogram) values.push({ tag, histogram: s.histogram });
        }
        this.file.write(e.step, values);
        return;
      }
      default:
        return;
    }
  }

  /** Everything written so far is on disk. */
  close(): Promise<void> {
    return this.file.flush();
  }
}

/**
 * The histogram of `values` in `buckets` equal-width buckets from their minimum to their maximum (one bucket when
 * they are all equal), with the sums TensorBoard's HistogramProto keeps. Non-finite values are left out.
 */
export function histogramOf(values: ArrayLike<number>, buckets = 30): WeightHistogram {
  let min = Infinity;
  let max = -Infinity;
  let num = 0;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    num++;
    sum += v;
    sumSquares += v * v;
  }
  if (num === 0) return { min: 0, max: 0, num: 0, sum: 0, sumSquares: 0, limits: [], counts: [] };
  const n = max > min ? buckets : 1;
  const width = (max - min) / n;
  const limits = Array.from({ length: n }, (_, i) => (i === n - 1 ? max : min + (i + 1) * width));
  const counts = new Array<number>(n).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    counts[n === 1 ? 0 : Math.min(n - 1, Math.floor((v - min) / width))]++;
  }
  return { min, max, num, sum, sumSquares, limits, counts };
}
