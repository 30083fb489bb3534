// A small line chart of the dashboard history; the accessible name states the latest value.
import { sparklinePoints } from './metricsView';

export function Sparkline({ values, label, width = 300, height = 60 }: { values: number[]; label: string; width?: number; height?: number }) {
  return (
    <svg className="pg-spark" viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img" aria-label={label}>
      <polyline fill="none" stroke="currentColor" strokeWidth="2" vectorEffect="non-scaling-stroke" points={sparklinePoints(values, width, height)} />
    </svg>
  );
}
