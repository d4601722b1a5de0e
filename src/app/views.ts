/** Small pure views: a digit as a picture, class probabilities as bars, a loss curve as SVG. */

/** Paints a grey digit (values 0–255, light on dark, `side`×`side`) onto `canvas`, one canvas pixel per digit pixel (CSS scales it up). */
export function paintDigit(canvas: HTMLCanvasElement, values: ArrayLike<number>, side: number): void {
  canvas.width = side;
  canvas.height = side;
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(side, side);
  for (let i = 0; i < side * side; i++) {
    const v = Math.round(values[i]);
    image.data.set([v, v, v, 255], 4 * i);
  }
  ctx.putImageData(image, 0, 0);
}

/** Ten bars, one per class, the most likely one marked. */
export function classBars(probabilities: number[] | undefined): string {
  if (!probabilities) return '<p class="muted">this model has no digit head</p>';
  const best = probabilities.indexOf(Math.max(...probabilities));
  return `<div class="bars">${probabilities
    .map(
      (p, d) =>
        `<div class="bar${d === best ? ' best' : ''}" title="${d}: ${(100 * p).toFixed(1)}%"><span style="height:${(100 * p).toFixed(1)}%"></span><b>${d}</b></div>`,
    )
    .join('')}</div>`;
}

/** A loss curve over mini-batches, epochs marked by ticks; a log scale, as losses fall by orders of magnitude. */
export function lossCurve(losses: number[], batchesPerEpoch: number, epochs: number): string {
  const [w, h, pad] = [560, 200, 36];
  const total = Math.max(batchesPerEpoch * epochs, losses.length, 2);
  const finite = losses.filter((l) => Number.isFinite(l) && l > 0);
  if (finite.length === 0) return `<svg viewBox="0 0 ${w} ${h}" class="curve"></svg>`;
  const [lo, hi] = [Math.log10(Math.min(...finite)), Math.log10(Math.max(...finite))];
  const span = Math.max(hi - lo, 1e-3);
  const x = (i: number) => pad + ((w - pad - 8) * i) / (total - 1);
  const y = (l: number) => 8 + ((h - pad) * (hi - Math.log10(l))) / span;
  const points = losses.map((l, i) => (Number.isFinite(l) && l > 0 ? `${x(i).toFixed(1)},${y(l).toFixed(1)}` : '')).join(' ');
  const ticks = Array.from({ length: epochs + 1 }, (_, e) => e)
    .filter((e) => epochs <= 10 || e % 5 === 0)
    .map((e) => `<text x="${x(e * batchesPerEpoch).toFixed(1)}" y="${h - 8}">${e}</text>`)
    .join('');
  return `<svg viewBox="0 0 ${w} ${h}" class="curve" role="img" aria-label="training loss per mini-batch">
  <polyline points="${points}"/>
  <text x="4" y="16">${(10 ** hi).toPrecision(2)}</text><text x="4" y="${h - pad + 8}">${(10 ** lo).toPrecision(2)}</text>
  ${ticks}<text x="${w - 60}" y="${h - 20}">epoch</text></svg>`;
}
