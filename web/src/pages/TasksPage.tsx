// /tasks: the task board of every room I am in — five columns by status, a form to create a
// task in a room, and a status picker on each card (http-api.md §9; live via server:task_update).
import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { useT } from '../i18n';
import { Button } from '../components/Button';
import { Field } from '../components/Field';
import { ConfirmDialog } from '../components/Dialog';
import { toast } from '../components/Toast';
import { Spinner } from '../components/Spinner';
import { on } from '../realtime/socket';
import { createTask, deleteTask, listRooms, listTasks, TASK_STATUSES, updateTask, type RoomRef, type Task, type TaskStatus } from '../api/tasks';
import { errorText } from './common/errors';
import { dateTime } from './common/format';
import { usePageStyles } from './common/usePageStyles';
import { FormActions } from './common/FormActions';
import { toasted } from './common/toasted';
import { LoadError } from './common/LoadError';

function upsert(list: Task[], task: Task): Task[] {
  const i = list.findIndex((x) => x.id === task.id);
  if (i < 0) return [task, ...list];
  const next = [...list];
  next[i] = task;
  return next;
}

export default function TasksPage() {
  usePageStyles();
  const t = useT();
  const [tasks, setTasks] = useState<Task[] | null>(null);
  const [rooms, setRooms] = useState<RoomRef[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [showCreate, setShowCreate] = useState(false);
  const [deleting, setDeleting] = useState<Task | null>(null);

  const load = useCallback(async () => {
    setLoadError(null);
    try {
      const [tk, rm] = await Promise.all([listTasks(), listRooms()]);
      setTasks(tk);
      setRooms(rm);
    } catch (e) {
      setLoadError(errorText(e));
    }
  }, []);

  useEffect(() => {
    void load();
    return on('server:task_update', (frame: { task?: Task }) => {
      if (frame.task && typeof frame.task.id === 'string') setTasks((list) => (list ? upsert(list, frame.task!) : list));
    });
  }, [load]);

  const roomName = useMemo(() => {
    const m = new Map(rooms.map((r) => [r.id, r.name]));
    return (id: string) => m.get(id) ?? id;
  }, [rooms]);

  const columns = useMemo(() => {
    const by: Record<TaskStatus, Task[]> = { pending: [], in_progress: [], completed: [], failed: [], cancelled: [] };
    for (const task of tasks ?? []) (by[task.status] ?? by.pending).push(task);
    return by;
  }, [tasks]);

  async function changeStatus(task: Task, status: TaskStatus) {
    if (status === task.status) return;
    try {
      const updated = await updateTask(task.id, { status });
      setTasks((list) => (list ? upsert(list, updated) : list));
      toast(t('tasks.statusChanged', { title: task.title, status: t(`tasks.status_${status}`) }), 'success');
    } catch (e) {
      toast(errorText(e), 'error');
    }
  }

  return (
    <section className="pg" aria-labelledby="tasks-title">
      <div className="pg-head">
        <h1 id="tasks-title">{t('tasks.title')}</h1>
        <div className="pg-actions">
          <Button onClick={() => void load()}>{t('tasks.refresh')}</Button>
          <Button variant="primary" onClick={() => setShowCreate((v) => !v)} aria-expanded={showCreate}>
            {t('tasks.newTask')}
          </Button>
        </div>
      </div>
      {showCreate && (
        <CreateTaskForm
          rooms={rooms}
          onCreated={(task) => {
            setTasks((list) => upsert(list ?? [], task));
            setShowCreate(false);
          }}
          onCancel={() => setShowCreate(false)}
        />
      )}
      <LoadError error={loadError} onRetry={() => void load()} />
      {!tasks && !loadError && <Spinner />}
      {tasks && (
        <div className="pg-board">
          {TASK_STATUSES.map((status) => (
            <section key={status} className="pg-col" aria-labelledby={`col-${status}`}>
              <h2 id={`col-${status}`}>
                <span>{t(`tasks.status_${status}`)}</span>
                <span className="pg-badge" aria-label={t('tasks.count', { n: columns[status].length })}>
                  {columns[status].length}
                </span>
              </h2>
              {columns[status].length === 0 ? (
                <p className="pg-muted">{t('tasks.emptyColumn')}</p>
              ) : (
                <ul className="pg-list">
                  {columns[status].map((task) => (
                    <li key={task.id} className="pg-task">
                      <h3>{task.title}</h3>
                      {task.description && <p>{task.description}</p>}
                      <p className="pg-muted">
                        {t('tasks.inRoom', { room: roomName(task.roomId) })} · {dateTime(task.createdAt)}
                      </p>
                      {task.result && <p className="pg-muted">{t('tasks.result', { result: task.result })}</p>}
                      <div className="pg-row">
                        <Field label={t('tasks.statusOf', { title: task.title })} hideLabel>
                          <select value={task.status} onChange={(e) => void changeStatus(task, e.target.value as TaskStatus)}>
                            {TASK_STATUSES.map((s) => (
                              <option key={s} value={s}>
                                {t(`tasks.status_${s}`)}
                              </option>
                            ))}
                          </select>
                        </Field>
                        <Button size="sm" variant="ghost" aria-label={t('tasks.deleteNamed', { title: task.title })} onClick={() => setDeleting(task)}>
                          {t('common.delete')}
                        </Button>
                      </div>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          ))}
        </div>
      )}
      {deleting && (
        <ConfirmDialog
          title={t('tasks.deleteTitle')}
          message={t('tasks.deleteConfirm', { title: deleting.title })}
          confirmLabel={t('common.delete')}
          danger
          onClose={() => setDeleting(null)}
          onConfirm={() =>
            toasted(async () => {
              await deleteTask(deleting.id);
              setTasks((list) => (list ?? []).filter((x) => x.id !== deleting.id));
            })
          }
        />
      )}
    </section>
  );
}

function CreateTaskForm({ rooms, onCreated, onCancel }: { rooms: RoomRef[]; onCreated: (task: Task) => void; onCancel: () => void }) {
  const t = useT();
  const usable = rooms.filter((r) => !r.archivedAt);
  const [roomId, setRoomId] = useState(usable[0]?.id ?? '');
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!roomId && usable[0]) setRoomId(usable[0].id);
  }, [usable, roomId]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!roomId) return setError(t('tasks.errRoom'));
    if (title.trim() === '') return setError(t('tasks.errTitle'));
    setBusy(true);
    setError(null);
    try {
      const task = await createTask(roomId, { title: title.trim(), description });
      toast(t('tasks.created', { title: task.title }), 'success');
      onCreated(task);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="pg-section pg-form" onSubmit={submit} aria-labelledby="new-task-title">
      <h2 id="new-task-title">{t('tasks.newTask')}</h2>
      {usable.length === 0 ? (
        <p className="pg-muted">{t('tasks.noRooms')}</p>
      ) : (
        <>
          <Field label={t('tasks.room')}>
            <select value={roomId} onChange={(e) => setRoomId(e.target.value)} required>
              {usable.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t('tasks.taskTitle')}>
            <input type="text" value={title} maxLength={200} required onChange={(e) => setTitle(e.target.value)} />
          </Field>
          <Field label={t('tasks.description')}>
            <textarea value={description} maxLength={10000} rows={4} onChange={(e) => setDescription(e.target.value)} />
          </Field>
        </>
      )}
      <FormActions submitLabel={t('tasks.createTask')} busy={busy} disabled={usable.length === 0} error={error} onCancel={onCancel} />
    </form>
  );
}
