// /admin/dashboard (admin): live figures from GET /api/admin/metrics every 5 s — connections,
// online users, agents, memory, uptime, messages, active rooms — a 60-point history, agent and
// HTTP latency (avg/p50/p95/p99), the slowest endpoints, and a warning without Redis.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useT, formatTime } from '../i18n';
import { Button } from '../components/Button';
import { Spinner } from '../components/Spinner';
import { getAdminMetrics, type AdminMetrics, type Histogram } from '../api/adminMetrics';
import {
  combineHistograms,
  formatBytes,
  formatLatency,
  formatUptime,
  prettyLabels,
  pushHistory,
  slowestEndpoints,
  totalMessages,
  type HistoryPoint,
} from './admin/metricsView';
import { Sparkline } from './admin/Sparkline';
import { errorText } from './common/errors';
import { usePageStyles } from './common/usePageStyles';

const REFRESH_MS = 5000;

export default function AdminDashboardPage() {
  usePageStyles();
  const t = useT();
  const [metrics, setMetrics] = useState<AdminMetrics | null>(null);
  const [history, setHistory] = useState<HistoryPoint[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [paused, setPaused] = useState(false);
  const inFlight = useRef(false);

  const poll = useCallback(async () => {
    if (inFlight.current) return;
    inFlight.current = true;
    try {
      const m = await getAdminMetrics();
      setMetrics(m);
      setHistory((h) => pushHistory(h, m));
      setError(null);
    } catch (e) {
      setError(errorText(e));
    } finally {
      inFlight.current = false;
    }
  }, []);

  useEffect(() => {
    if (paused) return;
    void poll();
    // A hidden tab skips its polls (the history then has a gap, not stale repeats).
    const timer = setInterval(() => {
      if (typeof document === 'undefined' || document.visibilityState !== 'hidden') void poll();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [poll, paused]);

  const stats: { label: string; value: string }[] = metrics
    ? [
        { label: t('admin.mClients'), value: String(metrics.connections.clients) },
        { label: t('admin.mGateways'), value: String(metrics.connections.gateways) },
        { label: t('admin.mOnlineUsers'), value: String(metrics.connections.onlineUsers) },
        { label: t('admin.mAgents'), value: String(metrics.connections.connectedAgents) },
        { label: t('admin.mActiveRooms'), value: String(metrics.activity.activeRooms) },
        { label: t('admin.mMessages'), value: totalMessages(metrics).toLocaleString() },
        { label: t('admin.mHeap'), value: formatBytes(metrics.process.heapUsedBytes) },
        { label: t('admin.mRss'), value: formatBytes(metrics.process.rssBytes) },
        { label: t('admin.mUptime'), value: formatUptime(metrics.process.uptimeSeconds) },
      ]
    : [];

  const last = history[history.length - 1];
  return (
    <section className="pg" aria-labelledby="dash-title">
      <div className="pg-head">
        <h1 id="dash-title">{t('admin.dashboardTitle')}</h1>
        <div className="pg-actions">
          {metrics && <span className="pg-muted">{t('admin.updatedAt', { time: formatTime(metrics.timestamp || new Date().toISOString()) })}</span>}
          <Button onClick={() => setPaused((p) => !p)} aria-pressed={paused}>
            {paused ? t('admin.resume') : t('admin.pause')}
          </Button>
          <Button onClick={() => void poll()}>{t('admin.refreshNow')}</Button>
        </div>
      </div>
      <p className="pg-muted">{t('admin.dashboardIntro', { s: REFRESH_MS / 1000 })}</p>
      {error && (
        <div className="pg-error-box" role="alert">
          {t('admin.metricsFailed', { error })}
        </div>
      )}
      {!metrics && !error && <Spinner />}
      {metrics && !metrics.infrastructure?.redisEnabled && (
        <div className="pg-warn-box" role="note">
          <strong>{t('admin.noRedisTitle')}</strong> {t('admin.noRedisBody')}
        </div>
      )}
      {metrics && (
        <>
          <h2 id="dash-now">{t('admin.now')}</h2>
          <ul className="pg-stats" aria-labelledby="dash-now">
            {stats.map((s) => (
              <li key={s.label} className="pg-stat">
                <span className="pg-stat-label">{s.label}</span>
                <span className="pg-stat-value">{s.value}</span>
              </li>
            ))}
          </ul>
          <h2>{t('admin.history', { n: history.length })}</h2>
          <div className="pg-charts">
            <Chart title={t('admin.mClients')} values={history.map((p) => p.clients)} latest={last?.clients} />
            <Chart title={t('admin.mOnlineUsers')} values={history.map((p) => p.onlineUsers)} latest={last?.onlineUsers} />
            <Chart title={t('admin.mAgents')} values={history.map((p) => p.connectedAgents)} latest={last?.connectedAgents} />
            <Chart title={t('admin.mMessagesPer', { s: REFRESH_MS / 1000 })} values={history.map((p) => p.messagesDelta)} latest={last?.messagesDelta} />
            <Chart title={t('admin.mHeap')} values={history.map((p) => p.heapUsedBytes)} latest={last?.heapUsedBytes} format={formatBytes} />
          </div>
          <MessagesByKind totals={metrics.activity.messagesTotal} />
          <h2>{t('admin.latency')}</h2>
          <div className="pg-charts">
            <LatencyCard title={t('admin.agentLatency')} hist={combineHistograms(metrics.performance?.agentResponse)} />
            <LatencyCard title={t('admin.httpLatency')} hist={combineHistograms(metrics.performance?.httpRequest)} />
          </div>
          <SlowEndpoints hists={metrics.performance?.httpRequest} />
        </>
      )}
    </section>
  );
}

function Chart({ title, values, latest, format = (n) => n.toLocaleString() }: { title: string; values: number[]; latest?: number; format?: (n: number) => string }) {
  const t = useT();
  const text = latest === undefined ? '—' : format(latest);
  return (
    <figure className="pg-card" style={{ margin: 0 }}>
      <figcaption className="pg-card-head">
        <span>{title}</span>
        <strong>{text}</strong>
      </figcaption>
      <Sparkline values={values} label={t('admin.chartLabel', { title, n: values.length, value: text })} />
    </figure>
  );
}

function MessagesByKind({ totals }: { totals: Record<string, number> }) {
  const t = useT();
  const rows = Object.entries(totals ?? {}).filter(([, v]) => typeof v === 'number');
  if (rows.length <= 1) return null;
  return (
    <section className="pg-section" aria-labelledby="dash-msgs">
      <h2 id="dash-msgs">{t('admin.messagesByKind')}</h2>
      <dl className="pg-dl">
        {rows.map(([k, v]) => (
          <div key={k} style={{ display: 'contents' }}>
            <dt>{prettyLabels(k.replace(/^[^{]*\{/, '').replace(/\}$/, '')) || k}</dt>
            <dd>{v.toLocaleString()}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function LatencyCard({ title, hist }: { title: string; hist: Histogram | null }) {
  const t = useT();
  return (
    <section className="pg-card" aria-label={title}>
      <h3>{title}</h3>
      {!hist ? (
        <p className="pg-muted">{t('admin.noSamples')}</p>
      ) : (
        <table className="pg-table">
          <caption className="sr-only">{title}</caption>
          <thead>
            <tr>
              <th scope="col">{t('admin.avg')}</th>
              <th scope="col">p50</th>
              <th scope="col">p95</th>
              <th scope="col">p99</th>
              <th scope="col">{t('admin.samples')}</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <td>{formatLatency(hist.avg)}</td>
              <td>{formatLatency(hist.p50)}</td>
              <td>{formatLatency(hist.p95)}</td>
              <td>{formatLatency(hist.p99)}</td>
              <td>{hist.count.toLocaleString()}</td>
            </tr>
          </tbody>
        </table>
      )}
    </section>
  );
}

function SlowEndpoints({ hists }: { hists?: Record<string, Histogram> }) {
  const t = useT();
  const rows = slowestEndpoints(hists, 10);
  return (
    <section className="pg-section" aria-labelledby="dash-slow">
      <h2 id="dash-slow">{t('admin.slowest')}</h2>
      {rows.length === 0 ? (
        <p className="pg-muted">{t('admin.noSamples')}</p>
      ) : (
        <div className="pg-table-wrap">
          <table className="pg-table pg-table-stack">
            <thead>
              <tr>
                <th scope="col">{t('admin.endpoint')}</th>
                <th scope="col">{t('admin.avg')}</th>
                <th scope="col">p50</th>
                <th scope="col">p95</th>
                <th scope="col">p99</th>
                <th scope="col">{t('admin.samples')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.label}>
                  <td data-label={t('admin.endpoint')}>
                    <code>{r.label}</code>
                  </td>
                  <td data-label={t('admin.avg')}>{formatLatency(r.hist.avg)}</td>
                  <td data-label="p50">{formatLatency(r.hist.p50)}</td>
                  <td data-label="p95">{formatLatency(r.hist.p95)}</td>
                  <td data-label="p99">{formatLatency(r.hist.p99)}</td>
                  <td data-label={t('admin.samples')}>{r.hist.count.toLocaleString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
