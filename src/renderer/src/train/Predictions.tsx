/**
 * Prediction views of the inspector: for classification the confusion matrix of the context's task (rows: true
 * class, columns: predicted class, coloured by the share of the row) and evaluation images from the chosen one on
 * with their true and predicted labels; for a coordinate network the chosen image beside its reconstruction. All
 * come from `run.inspect` (`confusion: true`, `predictions: true`).
 */
import { useEffect, useId, useRef, type CSSProperties } from 'react';
import type { InspectResult, Predictions } from '../../../shared/api/runs';

type Confusion = NonNullable<InspectResult['confusion']>;
type Classified = Extract<Predictions, { kind: 'classes' }>;
type Reconstructed = Extract<Predictions, { kind: 'image' }>;

/**
 * An image of intensities in [0, 1] as they are (black 0, white 1; RGB with three channels, else the first
 * channel in grey), the same scale for an original and its reconstruction so the two compare.
 */
function IntensityImage({ values, height, width, channels, label, testId }: { values: number[]; height: number; width: number; channels: number; label: string; testId: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    c.width = width;
    c.height = height;
    const img = ctx.createImageData(width, height);
    const byte = (v: number) => Math.round(255 * Math.min(1, Math.max(0, v)));
    for (let i = 0; i < height * width; i++) {
      const at = i * channels;
      const rgb = channels === 3 ? [values[at], values[at + 1], values[at + 2]] : [values[at], values[at], values[at]];
      for (let ch = 0; ch < 3; ch++) img.data[i * 4 + ch] = byte(rgb[ch] ?? 0);
      img.data[i * 4 + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }, [values, height, width, channels]);
  return <canvas ref={ref} className="hn-recon__img" role="img" aria-label={label} data-testid={testId} />;
}

/** Signed difference reconstruction − original per pixel, blue below, red above, scaled to its largest magnitude. */
function DifferenceImage({ image, span }: { image: Reconstructed; span: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    const { height, width, channels, original, reconstruction } = image;
    c.width = width;
    c.height = height;
    const img = ctx.createImageData(width, height);
    for (let i = 0; i < height * width; i++) {
      // The channel with the largest error stands for the pixel.
      let d = 0;
      for (let ch = 0; ch < channels; ch++) {
        const e = reconstruction[i * channels + ch] - original[i * channels + ch];
        if (Math.abs(e) > Math.abs(d)) d = e;
      }
      const a = Math.min(1, Math.abs(d) / (span || 1));
      const [r, g, b] = d < 0 ? [37, 99, 235] : [220, 38, 38];
      img.data[i * 4] = Math.round(255 + (r - 255) * a);
      img.data[i * 4 + 1] = Math.round(255 + (g - 255) * a);
      img.data[i * 4 + 2] = Math.round(255 + (b - 255) * a);
      img.data[i * 4 + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }, [image, span]);
  return <canvas ref={ref} className="hn-recon__img" role="img" aria-label="difference, reconstruction minus original" data-testid="reconstruction-difference" />;
}

/** A coordinate network's reconstruction of the chosen sample beside the image itself, with the error. */
export function Reconstruction({ image }: { image: Reconstructed }) {
  const { index, height, width, channels, original, reconstruction, mse, psnr } = image;
  let span = 0;
  for (let i = 0; i < original.length; i++) span = Math.max(span, Math.abs(reconstruction[i] - original[i]));
  return (
    <div className="hn-recon" data-testid="reconstruction" data-index={index} data-mse={mse} data-psnr={psnr ?? ''}>
      <div className="hn-train__muted">
        Test sample {index}, {height}×{width}: the network generated for it, evaluated at every pixel
      </div>
      <div className="hn-recon__row">
        <figure className="hn-recon__fig">
          <IntensityImage values={original} height={height} width={width} channels={channels} label={`test sample ${index}`} testId="reconstruction-original" />
          <figcaption>original</figcaption>
        </figure>
        <figure className="hn-recon__fig">
          <IntensityImage values={reconstruction} height={height} width={width} channels={channels} label={`reconstruction of test sample ${index}`} testId="reconstruction-image" />
          <figcaption>reconstruction</figcaption>
        </figure>
        <figure className="hn-recon__fig">
          <DifferenceImage image={image} span={span} />
          <figcaption>difference ±{span.toPrecision(2)}</figcaption>
        </figure>
      </div>
      <div className="hn-recon__error" data-testid="reconstruction-error">
        PSNR {psnr === null ? '∞' : `${psnr.toFixed(2)} dB`} · MSE {mse.toPrecision(3)}
      </div>
    </div>
  );
}

const pct = (x: number) => `${(100 * x).toFixed(x > 0 && x < 0.1 ? 1 : 0)}%`;

/** Correct cells green, confusions red; the stronger the colour, the larger the share of the true class. */
function cellStyle(share: number, diagonal: boolean): CSSProperties {
  if (share <= 0) return {};
  const alpha = 0.12 + 0.78 * share;
  const background = diagonal ? `hsla(152, 62%, 38%, ${alpha})` : `hsla(2, 78%, 52%, ${alpha})`;
  return share > 0.5 ? { background, color: '#fff' } : { background };
}

export function ConfusionMatrix({ confusion, labels }: { confusion: Confusion; labels?: string[] }) {
  const { matrix, classes, samples, accuracy, task } = confusion;
  const name = (k: number) => labels?.[k] ?? String(k);
  const rowSums = matrix.map((row) => row.reduce((a, b) => a + b, 0));
  const title = useId();
  // The title sits above the table rather than in a <caption>, which would wrap to the width of a 2-class table.
  return (
    <div className="hn-confusion">
      <div className="hn-confusion__title" id={title}>
        Confusion matrix, task {task}: {samples} test samples, accuracy {pct(accuracy)}
      </div>
      <table
        className="hn-confusion__table"
        aria-labelledby={title}
        data-testid="confusion-matrix"
        data-classes={classes}
        data-samples={samples}
        data-accuracy={accuracy}
        data-task={task}
      >
        <thead>
          <tr>
            <th className="hn-confusion__corner" scope="col">
              <span aria-hidden="true">true ↓ predicted →</span>
              <span className="hn-sr-only">true class by predicted class</span>
            </th>
            {Array.from({ length: classes }, (_, j) => (
              <th key={j} scope="col" aria-label={`predicted ${name(j)}`}>
                {name(j)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {matrix.map((row, i) => (
            <tr key={i}>
              <th scope="row" aria-label={`true ${name(i)}`}>
                {name(i)}
              </th>
              {row.map((n, j) => {
                const share = rowSums[i] ? n / rowSums[i] : 0;
                const text = `true ${name(i)}, predicted ${name(j)}: ${n} of ${rowSums[i]} (${pct(share)})`;
                return (
                  <td key={j} style={cellStyle(share, i === j)} title={text} aria-label={text} data-share={share.toFixed(3)}>
                    {n || ''}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <div className="hn-confusion__legend" aria-hidden="true">
        <span className="hn-confusion__swatch is-ok" /> correct
        <span className="hn-confusion__swatch is-bad" /> confused · shade: share of the true class (row)
      </div>
    </div>
  );
}

/** A theme colour as RGB, whatever CSS spelling it has (`#fff`, `#15181e`, `rgb(…)`): the canvas parses it. */
function themeRgb(ctx: CanvasRenderingContext2D, name: string, fallback: string): [number, number, number] {
  ctx.fillStyle = fallback;
  ctx.fillStyle = getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
  const c = String(ctx.fillStyle);
  const hex = /^#([0-9a-f]{6})$/i.exec(c);
  if (hex) {
    const n = parseInt(hex[1], 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }
  const m = /^rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(c);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [128, 128, 128];
}

/** One input drawn as a grayscale image in the theme's colours (ink on paper), scaled to its own range. */
function SampleImage({ x, shape, theme }: { x: number[]; shape: [number, number]; theme: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [h, w] = shape;
  useEffect(() => {
    const c = ref.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx || x.length < h * w) return;
    c.width = w;
    c.height = h;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of x) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const span = hi - lo || 1;
    const paper = themeRgb(ctx, '--panel', '#ffffff');
    const ink = themeRgb(ctx, '--text', '#171a21');
    const img = ctx.createImageData(w, h);
    for (let i = 0; i < h * w; i++) {
      const t = (x[i] - lo) / span;
      for (let ch = 0; ch < 3; ch++) img.data[i * 4 + ch] = Math.round(paper[ch] + (ink[ch] - paper[ch]) * t);
      img.data[i * 4 + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }, [x, h, w, theme]);
  return <canvas ref={ref} className="hn-samples__img" aria-hidden="true" />;
}

/**
 * Evaluation images with true and predicted labels, the chosen one first; mistakes stand out. With `onPick`, a
 * click on an image chooses it. Nothing for inputs that are not images.
 */
export function SamplePredictions({ predictions, theme, labels, onPick }: { predictions: Classified; theme: string; labels?: string[]; onPick?: (index: number) => void }) {
  const { image, samples } = predictions;
  if (!image || samples.length === 0 || samples.some((s) => s.x.length < image[0] * image[1])) return null;
  const name = (k: number) => labels?.[k] ?? String(k);
  const wrong = samples.filter((s) => s.label !== s.predicted).length;
  return (
    <div className="hn-samples" data-testid="sample-predictions" data-count={samples.length} data-wrong={wrong}>
      <div className="hn-train__muted">
        Test samples {samples[0].index}–{samples[samples.length - 1].index}: {samples.length - wrong} right, {wrong} wrong
      </div>
      <ul className="hn-samples__grid">
        {samples.map((s) => {
          const ok = s.label === s.predicted;
          const chosen = s.index === samples[0].index;
          const text = `sample ${s.index}: true ${name(s.label)}, predicted ${name(s.predicted)}${ok ? '' : ' (wrong)'}`;
          return (
            <li
              key={s.index}
              className={`hn-samples__item ${ok ? 'is-ok' : 'is-wrong'}${chosen ? ' is-chosen' : ''}`}
              data-correct={ok}
              data-index={s.index}
              aria-label={text}
              aria-current={chosen || undefined}
              title={`sample ${s.index}`}
            >
              {onPick && !chosen ? (
                <button type="button" className="hn-samples__pick" onClick={() => onPick(s.index)} aria-label={`show ${text}`}>
                  <SampleImage x={s.x} shape={image} theme={theme} />
                </button>
              ) : (
                <SampleImage x={s.x} shape={image} theme={theme} />
              )}
              <span className="hn-samples__label" aria-hidden="true">
                {ok ? (
                  <>
                    <span className="hn-samples__mark">✓</span> {name(s.predicted)}
                  </>
                ) : (
                  <>
                    <span className="hn-samples__mark">✗</span> {name(s.predicted)} <span className="hn-samples__true">(true {name(s.label)})</span>
                  </>
                )}
              </span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
