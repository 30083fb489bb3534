// /users (admin): every account with its role and limits; create, edit (role, display name,
// limits, password) and delete with confirmation (http-api.md §5.6–5.9).
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useT } from '../i18n';
import { Button } from '../components/Button';
import { ConfirmDialog } from '../components/Dialog';
import { Spinner } from '../components/Spinner';
import { toast } from '../components/Toast';
import { useSession } from '../stores/session';
import { deleteUser, listUsers, type AdminUserRow } from '../api/users';
import { CreateUserDialog, EditUserDialog } from './admin/UserForms';
import { errorText } from './common/errors';
import { dateTime } from './common/format';
import { usePageStyles } from './common/usePageStyles';
import { toasted } from './common/toasted';
import { LoadError } from './common/LoadError';

export default function AdminUsersPage() {
  usePageStyles();
  const t = useT();
  const me = useSession().user;
  const [users, setUsers] = useState<AdminUserRow[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<AdminUserRow | null>(null);
  const [deleting, setDeleting] = useState<AdminUserRow | null>(null);
  const [filter, setFilter] = useState('');
  const shown = useMemo(() => {
    const q = filter.trim().toLowerCase();
    if (!users || q === '') return users ?? [];
    return users.filter((u) => u.username.toLowerCase().includes(q) || u.displayName.toLowerCase().includes(q));
  }, [users, filter]);

  const load = useCallback(async () => {
    setError(null);
    try {
      const r = await listUsers();
      setUsers(r.users);
      setTotal(r.total);
    } catch (e) {
      setError(errorText(e));
    }
  }, []);
  useEffect(() => void load(), [load]);

  const limit = (n: number | null) => (n === null ? t('admin.limitDefault') : String(n));

  return (
    <section className="pg" aria-labelledby="users-title">
      <div className="pg-head">
        <h1 id="users-title">{t('admin.usersTitle')}</h1>
        <div className="pg-actions">
          <Button variant="primary" onClick={() => setCreating(true)}>
            {t('admin.createUser')}
          </Button>
        </div>
      </div>
      <LoadError error={error} onRetry={() => void load()} />
      {!users && !error && <Spinner />}
      {users && (
        <>
          <div className="pg-row" style={{ marginBottom: 8 }}>
            <div className="field" style={{ minWidth: 0, flex: '1 1 240px', maxWidth: 360 }}>
              <label htmlFor="users-filter">{t('admin.filterUsers')}</label>
              <input id="users-filter" type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
            </div>
            <p className="pg-muted" aria-live="polite">
              {filter.trim() ? t('admin.userCountFiltered', { n: shown.length, total }) : t('admin.userCount', { n: total })}
            </p>
          </div>
          <div className="pg-table-wrap">
            <table className="pg-table pg-table-stack">
              <caption className="sr-only">{t('admin.usersTitle')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('admin.username')}</th>
                  <th scope="col">{t('admin.displayName')}</th>
                  <th scope="col">{t('admin.role')}</th>
                  <th scope="col">{t('admin.maxWsConnections')}</th>
                  <th scope="col">{t('admin.maxGateways')}</th>
                  <th scope="col">{t('admin.createdAt')}</th>
                  <th scope="col">{t('admin.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((u) => (
                  <tr key={u.id}>
                    <td data-label={t('admin.username')}>
                      {u.username}
                      {u.id === me?.id && <span className="pg-muted"> ({t('common.you')})</span>}
                    </td>
                    <td data-label={t('admin.displayName')}>{u.displayName}</td>
                    <td data-label={t('admin.role')}>
                      <span className="pg-badge">{t(`admin.role_${u.role}`)}</span>
                    </td>
                    <td data-label={t('admin.maxWsConnections')}>{limit(u.maxWsConnections)}</td>
                    <td data-label={t('admin.maxGateways')}>{limit(u.maxGateways)}</td>
                    <td data-label={t('admin.createdAt')}>{dateTime(u.createdAt)}</td>
                    <td data-label={t('admin.actions')}>
                      <div className="pg-actions">
                        <Button size="sm" aria-label={t('admin.editUserNamed', { username: u.username })} onClick={() => setEditing(u)}>
                          {t('common.edit')}
                        </Button>
                        <Button
                          size="sm"
                          variant="danger"
                          aria-label={t('admin.deleteUserNamed', { username: u.username })}
                          disabled={u.id === me?.id}
                          title={u.id === me?.id ? t('admin.cannotDeleteSelf') : undefined}
                          onClick={() => setDeleting(u)}
                        >
                          {t('common.delete')}
                        </Button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {creating && (
        <CreateUserDialog
          onClose={() => setCreating(false)}
          onCreated={(u) => {
            setCreating(false);
            setUsers((list) => [...(list ?? []), u]);
            setTotal((n) => n + 1);
            toast(t('admin.userCreated', { username: u.username }), 'success');
          }}
        />
      )}
      {editing && (
        <EditUserDialog
          user={editing}
          onClose={() => setEditing(null)}
          onSaved={(u) => {
            setEditing(null);
            setUsers((list) => (list ?? []).map((x) => (x.id === u.id ? u : x)));
            toast(t('admin.userSaved', { username: u.username }), 'success');
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={t('admin.deleteUserTitle')}
          message={t('admin.deleteUserConfirm', { username: deleting.username })}
          confirmLabel={t('admin.deleteUserNamed', { username: deleting.username })}
          danger
          onClose={() => setDeleting(null)}
          onConfirm={() =>
            toasted(async () => {
              await deleteUser(deleting.id);
              setUsers((list) => (list ?? []).filter((x) => x.id !== deleting.id));
              setTotal((n) => Math.max(0, n - 1));
            }, t('admin.userDeleted', { username: deleting.username }))
          }
        />
      )}
    </section>
  );
}
