import { html, type Html } from './html';

/**
 * Bar charts as inline SVG, drawn on the server: no script, readable without one, styled by
 * console.css classes (no style attribute: the CSP allows none). Each chart has a title and a
 * description for screen readers, and the numbers are also in a table next to it.
 */
export function barChart(opts: { title: string; bars: { label: string; value: number; alt?: boolean }[]; unit?: string }): Html {
  const width = 720;
  const height = 220;
  const left = 40;
  const bottom = 40;
  const top = 16;
  const n = Math.max(1, opts.bars.length);
  const max = Math.max(1, ...opts.bars.map((b) => b.value));
  const slot = (width - left - 8) / n;
  const barWidth = Math.max(2, slot * 0.7);
  const scale = (height - bottom - top) / max;
  const everyLabel = Math.max(1, Math.ceil(n / 12));
  const description = opts.bars.map((b) => `${b.label} : ${b.value}${opts.unit ?? ''}`).join(', ');
  return html`<svg class="console-chart" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" aria-labelledby="chart-${slug(opts.title)}">
<title id="chart-${slug(opts.title)}">${opts.title} — ${description}</title>
<line class="axis" x1="${left}" y1="${height - bottom}" x2="${width - 4}" y2="${height - bottom}"/>
<text x="${left - 6}" y="${top + 4}" text-anchor="end">${max}</text>
<text x="${left - 6}" y="${height - bottom}" text-anchor="end">0</text>
${opts.bars.map((b, i) => {
    const h = Math.round(b.value * scale);
    const x = left + i * slot + (slot - barWidth) / 2;
    return html`<rect class="${b.alt ? 'bar-alt' : 'bar'}" x="${x.toFixed(1)}" y="${height - bottom - h}" width="${barWidth.toFixed(1)}" height="${h}"><title>${b.label} : ${b.value}${opts.unit ?? ''}</title></rect>
${i % everyLabel === 0 ? html`<text x="${(x + barWidth / 2).toFixed(1)}" y="${height - bottom + 14}" text-anchor="middle">${b.label}</text>` : ''}`;
  })}
</svg>`;
}

function slug(text: string): string {
  return text.normalize('NFD').replace(/[^a-zA-Z0-9]+/g, '-').toLowerCase().replace(/^-|-$/g, '');
}
