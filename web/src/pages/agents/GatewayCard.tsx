// One of my gateways (a machine running `agentim`): online dot, device, its agents, "Spawn
// agent", the credentials panel, and delete.
import { useState } from 'react';
import { useT } from '../../i18n';
import { Button } from '../../components/Button';
import type { Gateway } from '../../api/agents';
import { dateTime, relativeTime } from '../common/format';
import { CredentialsPanel } from './CredentialsPanel';
import { gatewayDevice, gatewayOnline } from './agentView';

export function GatewayCard({ gateway, agentCount, onSpawn, onDelete }: { gateway: Gateway; agentCount: number; onSpawn: () => void; onDelete: () => void }) {
  const t = useT();
  const [showCreds, setShowCreds] = useState(false);
  const online = gatewayOnline(gateway);
  const label = gateway.name || gateway.hostname || gateway.id;
  return (
    <li className="pg-card">
      <div className="pg-card-head">
        <h3>
          <span className={`pg-dot ${online ? 'pg-dot-online' : ''}`} aria-hidden="true" />
          {label}
        </h3>
        <span className="pg-badge">{online ? t('common.online') : t('common.offlineStatus')}</span>
      </div>
      <dl className="pg-dl">
        <dt>{t('agents.device')}</dt>
        <dd>{gatewayDevice(gateway) || t('agents.unknown')}</dd>
        {gateway.nodeVersion && (
          <>
            <dt>{t('agents.runtime')}</dt>
            <dd>{gateway.nodeVersion}</dd>
          </>
        )}
        <dt>{online ? t('agents.connectedSince') : t('agents.lastSeen')}</dt>
        <dd>{online ? dateTime(gateway.connectedAt) : relativeTime(gateway.disconnectedAt)}</dd>
        <dt>{t('agents.agentsOnGateway')}</dt>
        <dd>{agentCount}</dd>
      </dl>
      <div className="pg-actions">
        <Button size="sm" variant="primary" disabled={!online} title={online ? undefined : t('agents.gatewayOffline')} aria-label={t('agents.spawnOn', { gateway: label })} onClick={onSpawn}>
          {t('agents.spawn')}
        </Button>
        <Button size="sm" aria-expanded={showCreds} aria-label={t('agents.credentialsNamed', { gateway: label })} onClick={() => setShowCreds((v) => !v)}>
          {t('agents.credentials')}
        </Button>
        <Button size="sm" variant="danger" aria-label={t('agents.deleteGatewayNamed', { gateway: label })} onClick={onDelete}>
          {t('agents.deleteGateway')}
        </Button>
      </div>
      {showCreds && <CredentialsPanel gateway={gateway} online={online} />}
    </li>
  );
}
