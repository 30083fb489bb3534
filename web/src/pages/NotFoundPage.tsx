// Any unknown address: say so, show the address (as text), and offer the way back.
import { useEffect, useRef } from 'react';
import { useT } from '../i18n';
import { Link, useLocation } from '../app/router';
import { usePageStyles } from './common/usePageStyles';

export default function NotFoundPage() {
  usePageStyles();
  const t = useT();
  const { path } = useLocation();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section className="pg" aria-labelledby="nf-title">
      <div className="pg-section" style={{ textAlign: 'center', padding: '40px 16px' }}>
        <p className="pg-stat-value" aria-hidden="true">
          404
        </p>
        <h1 id="nf-title" ref={heading} tabIndex={-1}>
          {t('common.notFoundTitle')}
        </h1>
        <p>{t('common.notFoundBody')}</p>
        <p className="pg-muted">
          <code style={{ overflowWrap: 'anywhere' }}>{path}</code>
        </p>
        <Link to="/" className="btn btn-primary btn-md">
          {t('common.backHome')}
        </Link>
      </div>
    </section>
  );
}
