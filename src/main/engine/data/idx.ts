/**
 * IDX files, the format of the original MNIST distribution: a big-endian header (two zero bytes, a data type
 * byte, a dimension count d, then d uint32 sizes) followed by the values, row-major. Only unsigned bytes
 * (type 0x08) are read: images have magic 0x00000803 ([n, height, width]), labels 0x00000801 ([n]).
 * Gzipped files (as distributed) are inflated first. Images stay bytes in memory and are scaled to [0, 1]
 * as batches are drawn. Error messages describe the file's structure (its size, its dimensions) and never quote
 * its bytes.
 */
import { gunzipSync } from 'node:zlib';
import { fail } from '../../../shared/compiler/errors';
import { IdxData, idxShapes } from '../../../shared/nodes/data/idx';
import { Rng } from '../../../shared/util/rng';
import { DEFAULT_MAX_DATA_BYTES, dataAccessOf, formatBytes, readDataFile, type DataAccess } from './files';
import { poolDataset, randomSplit, range, stratifiedSplit } from './pool';
import type { Dataset } from './types';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;

/** Parse the bytes of an IDX file; `where` prefixes error messages (e.g. "trainImages (train-images.idx)"). */
export function parseIdx(bytes: Uint8Array, where: string, node?: string, maxBytes = DEFAULT_MAX_DATA_BYTES): IdxArray {
  const bad = (message: string): never => fail('HN051', `${where}: ${message}`, { node });
  let buf = bytes;
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf, { maxOutputLength: maxBytes });
    } catch (e) {
      // A small file can inflate to any size: the limit on data files holds for what it inflates to.
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
        fail('HN055', `${where}: inflates to more than the data file limit of ${formatBytes(maxBytes)}: raise it with --max-data-mb (hnet train, hnet export, hnet serve), or use a smaller file`, { node });
      bad(`corrupt gzip data (${(e as NodeJS.ErrnoException).code ?? 'cannot inflate'}): expected a gzipped IDX file`);
    }
  }
  if (buf.length < 4) bad(`only ${buf.length} bytes: too short to be an IDX file`);
  if (buf[0] !== 0 || buf[1] !== 0) bad('not an IDX file: expected two zero bytes, then a data type and a dimension count');
  if (buf[2] !== UBYTE) bad(`its data type is ${IDX_TYPES[buf[2]] ?? 'not an IDX type'}: only unsigned bytes (type 0x08) are read`);
  const ndims = buf[3];
  const headerSize = 4 + 4 * ndims;
  if (buf.length < headerSize) bad(`truncated header: ${ndims} dimensions need ${headerSize} bytes, the file has ${buf.length}`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims = Array.from({ length: ndims }, (_, k) => view.getUint32(4 + 4 * k, false));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = buf.length - headerSize;
  if (actual < expected)
    bad(`truncated: the header announces ${dims.join(' × ')} = ${expected} bytes of data, the file holds ${actual}`);
  if (actual > expected)
    bad(`corrupt: the header announces ${dims.join(' × ')} = ${expected} bytes of data, the file holds ${actual}`);
  return { dims, data: buf.subarray(headerSize) };
}

/** The IDX format's data types, named in errors (a byte outside this table is not echoed). */
const IDX_TYPES: Record<number, string> = { 0x09: 'signed bytes (0x09)', 0x0b: 'int16 (0x0b)', 0x0c: 'int32 (0x0c)', 0x0d: 'float32 (0x0d)', 0x0e: 'float64 (0x0e)' };

/** Write an IDX file of unsigned bytes (tests and tools). */
export function encodeIdx(dims: number[], data: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = UBYTE;
  out[3] = dims.length;
  dims.forEach((d, k) => view.setUint32(4 + 4 * k, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

type IdxParams = ReturnType<typeof IdxData.params.parse>;
type IdxField = 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels';

/** The IDX file a path param names, read as a run reads it (access and size checked) and parsed. */
export function readIdx(node: string, field: string, path: string, access: DataAccess): IdxArray {
  return parseIdx(readDataFile(node, field, path, dataAccessOf(access)), `${field} (${path.trim()})`, node, access.maxDataBytes);
}

/**
 * A pair of images and labels files checked against each other and against the node's params: [n, height, width]
 * images of the node's size, as many labels as images, every label a class id. Fails (HN051) naming the param.
 */
export function checkIdxPair(
  p: IdxParams,
  node: string,
  imagesFile: IdxArray & { field: IdxField; path: string },
  labelsFile: IdxArray & { field: IdxField; path: string },
): { images: Uint8Array; labels: Uint8Array; n: number } {
  const where = (f: { field: string; path: string }) => `${f.field} (${f.path.trim()})`;
  const bad = (f: { field: string }, message: string): never => fail('HN051', message, { node, path: `params.${f.field}` });
  // [n, h, w], or [n, h, w, 1] as some tools write single-channel images.
  const d = imagesFile.dims;
  if (!(d.length === 3 || (d.length === 4 && d[3] === 1)))
    bad(imagesFile, `${where(imagesFile)}: expected images of dimensions [n, height, width], found [${d.join(', ')}]`);
  if (d[1] !== p.height || d[2] !== p.width)
    bad(imagesFile, `${where(imagesFile)}: images are ${d[1]}×${d[2]} (height × width) but the node says height = ${p.height}, width = ${p.width}`);
  if (labelsFile.dims.length !== 1)
    bad(labelsFile, `${where(labelsFile)}: expected labels of dimension [n], found [${labelsFile.dims.join(', ')}]`);
  if (labelsFile.dims[0] !== d[0])
    bad(labelsFile, `${where(labelsFile)} holds ${labelsFile.dims[0]} labels but ${where(imagesFile)} holds ${d[0]} images`);
  if (d[0] === 0) bad(imagesFile, `${where(imagesFile)} holds no images`);
  const badLabel = labelsFile.data.findIndex((v) => v >= p.classes);
  if (badLabel >= 0)
    bad(labelsFile, `${where(labelsFile)}: the label at index ${badLabel} is out of range: expected a class id from 0 to ${p.classes - 1} (classes = ${p.classes})`);
  return { images: imagesFile.data, labels: labelsFile.data, n: d[0] };
}

export function openIdx(raw: Record<string, unknown>, opts: { seed: number; node: string } & DataAccess): Dataset {
  const p = IdxData.params.parse(raw);
  const { node } = opts;
  const s = idxShapes(p);
  const testImages = p.testImages?.trim() || undefined;
  const testLabels = p.testLabels?.trim() || undefined;
  if (!testImages !== !testLabels) fail('HN051', 'set both test images and test labels, or neither', { node });

  const read = (field: string, path: string) => readIdx(node, field, path, opts);
  const load = (imagesField: IdxField, imagesPath: string, labelsField: IdxField, labelsPath: string) =>
    checkIdxPair(p, node, { field: imagesField, path: imagesPath, ...read(imagesField, imagesPath) }, { field: labelsField, path: labelsPath, ...read(labelsField, labelsPath) });

  const trainSet = load('trainImages', p.trainImages, 'trainLabels', p.trainLabels);
  const testSet = testImages && testLabels ? load('testImages', testImages, 'testLabels', testLabels) : undefined;

  const pixels = p.height * p.width;
  const n = trainSet.n + (testSet?.n ?? 0);
  let x: Uint8Array;
  const y = new Int32Array(n);
  let train: Int32Array;
  let test: Int32Array;
  if (testSet) {
    x = new Uint8Array(n * pixels);
    x.set(trainSet.images, 0);
    x.set(testSet.images, trainSet.n * pixels);
    y.set(trainSet.labels, 0);
    y.set(testSet.labels, trainSet.n);
    // The training split is sampled at random anyway; the test split keeps the file's order.
    train = range(0, trainSet.n);
    test = range(trainSet.n, n);
  } else {
    if (trainSet.n < 2) fail('HN051', `trainImages: a single image cannot be split into train and test`, { node });
    x = trainSet.images;
    y.set(trainSet.labels);
    const rng = new Rng(opts.seed).fork('idx.split');
    ({ train, test } = stratifiedSplit(y, p.classes, 1 - p.testFraction, rng));
    // Every class has a single image: stratifying holds nothing out, so split the images as a whole.
    if (test.length === 0) ({ train, test } = randomSplit(range(0, n), p.testFraction, rng));
  }
  return poolDataset({
    node, tasks: 1, xShape: s.x, yShape: s.y, yDtype: 'int32', classes: p.classes,
    x, xScale: 1 / 255, y, train: [train], test: [test],
  });
}
