/** A small line chart in SVG (one line per unit): enough for a trend, no chart library in the bundle. */
import dayjs from 'dayjs';
import type { TrendSeries } from '../pages/dashboard-data';

const COLOURS = ['#b71c1c', '#1565c0', '#2e7d32', '#ef6c00', '#6a1b9a', '#00838f'];

export function TrendChart({ at, series, title, names }: { at: number[]; series: TrendSeries[]; title: string; names?: Map<string, string> }) {
  const shown = series.slice(0, COLOURS.length);
  const max = Math.max(1, ...shown.flatMap((s) => s.points));
  const w = 560, h = 180, left = 28, bottom = 20;
  const x = (i: number) => left + (i * (w - left - 8)) / Math.max(1, at.length - 1);
  const y = (v: number) => h - bottom - (v * (h - bottom - 8)) / max;
  return (
    <figure style={{ margin: 0 }}>
      <svg viewBox={`0 0 ${w} ${h}`} width="100%" style={{ maxWidth: 720, display: 'block' }} role="img" aria-label={title}>
        <line x1={left} y1={h - bottom} x2={w} y2={h - bottom} stroke="#8c8c8c" />
        <text x={2} y={12} fontSize={11} fill="#434343">{max}</text>
        <text x={2} y={h - bottom} fontSize={11} fill="#434343">0</text>
        {at.map((t, i) => (
          <text key={t} x={x(i)} y={h - 4} fontSize={10} textAnchor="middle" fill="#434343">{dayjs(t).format('M/D')}</text>
        ))}
        {shown.map((s, k) => (
          <polyline key={s.unit} fill="none" stroke={COLOURS[k]} strokeWidth={2}
            points={s.points.map((v, i) => `${x(i)},${y(v)}`).join(' ')} />
        ))}
      </svg>
      <figcaption style={{ display: 'flex', flexWrap: 'wrap', gap: 12, fontSize: 12 }}>
        {shown.map((s, k) => (
          <span key={s.unit}><span style={{ color: COLOURS[k] }}>■</span> {names?.get(s.unit) ?? s.unit}: {s.points.at(-1)}</span>
        ))}
      </figcaption>
    </figure>
  );
}
