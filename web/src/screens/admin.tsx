// Administration: the accounts an administrator manages (create, role, jurisdictions,
// disable, reset password; within their own jurisdiction, as the service enforces) and the
// audit log with filters.
import { useEffect, useState } from 'preact/hooks';
import { call, get, qs, ApiError, type Actor } from '../api';
import { t } from '../i18n';

const ROLES = ['admin', 'editor', 'reviewer', 'inspector'];

function FieldMessage({ error, field }: { error: ApiError | null; field: string }) {
  const message = error?.fieldMessage(field);
  return message ? <p class="field-error" id={`err-${field}`}>{message}</p> : null;
}

export function AdminScreen({ actor, tab }: { actor: Actor; tab?: string }) {
  return (
    <section class="page admin">
      <h1>{t('nav.admin')}</h1>
      <nav class="tabs" aria-label={t('nav.admin')}>
        <a href="#/admin/users" aria-current={tab !== 'audit' ? 'page' : undefined}>{t('admin.users')}</a>
        <a href="#/admin/audit" aria-current={tab === 'audit' ? 'page' : undefined}>{t('admin.audit')}</a>
      </nav>
      {tab === 'audit' ? <Audit /> : <Users actor={actor} />}
    </section>
  );
}

function Users({ actor }: { actor: Actor }) {
  const [users, setUsers] = useState<any[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<any>(null);
  const load = () => get('users').then((d) => setUsers(d.users)).catch((e) => setError(e));
  useEffect(() => { load(); }, []);
  const create = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    setError(null); setNotice(null);
    try {
      const { data } = await call('users', { method: 'POST', body: { username: form.get('username'), password: form.get('password'), role: form.get('role'), jurisdictions: String(form.get('jurisdictions') || '').split(/[,，\s]+/).filter(Boolean) } });
      setNotice(t('admin.created', { name: data.user.username }));
      (e.target as HTMLFormElement).reset();
      load();
    } catch (err) { setError(err as ApiError); }
  };
  const save = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    setError(null); setNotice(null);
    try {
      const { etag } = await call(`users/${editing.id}`);
      await call(`users/${editing.id}`, { method: 'PUT', ifMatch: etag, body: { role: form.get('role'), jurisdictions: String(form.get('jurisdictions') || '').split(/[,，\s]+/).filter(Boolean), disabled: form.get('disabled') === 'on' } });
      const password = String(form.get('new_password') || '');
      if (password) await call(`users/${editing.id}/password`, { method: 'POST', body: { password } });
      setNotice(t('admin.saved', { name: editing.username })); setEditing(null); load();
    } catch (err) { setError(err as ApiError); }
  };
  const described = (field: string) => error?.fieldMessage(field) ? { 'aria-invalid': true, 'aria-describedby': `err-${field}` } : {};
  return (
    <>
      {error && <p class="error" role="alert">{error.message}</p>}
      {notice && <p class="ok" role="status">{notice}</p>}
      <table class="list users">
        <caption>{t('admin.within', { j: actor.jurisdictions.join(', ') || t('me.everywhere') })}</caption>
        <thead><tr><th scope="col">{t('signin.username')}</th><th scope="col">{t('admin.role')}</th><th scope="col">{t('me.jurisdictions')}</th><th scope="col">{t('admin.state')}</th><th scope="col">{t('admin.since')}</th><th scope="col"><span class="sr-only">{t('admin.edit')}</span></th></tr></thead>
        <tbody>{users.map((u) => <tr data-user={u.username}>
          <td>{u.username}</td><td>{t(`role.${u.role}` as any)}</td><td>{u.jurisdictions.join(', ') || t('me.everywhere')}</td><td>{u.disabled ? t('admin.disabled') : t('admin.active')}</td><td>{u.created_at.slice(0, 10)}</td>
          <td><button type="button" onClick={() => setEditing(u)} aria-label={t('admin.editone', { name: u.username })}>{t('admin.edit')}</button></td>
        </tr>)}</tbody>
      </table>
      {editing && <form class="card" onSubmit={save} aria-labelledby="edit-title">
        <h2 id="edit-title">{t('admin.editone', { name: editing.username })}</h2>
        <div class="field"><label for="e-role">{t('admin.role')}</label><select id="e-role" name="role" value={editing.role}>{ROLES.map((r) => <option value={r}>{t(`role.${r}` as any)}</option>)}</select></div>
        <div class="field"><label for="e-jur">{t('me.jurisdictions')}</label><input id="e-jur" name="jurisdictions" value={editing.jurisdictions.join(', ')} {...described('jurisdictions')} /><FieldMessage error={error} field="jurisdictions" /></div>
        <div class="field"><label><input type="checkbox" name="disabled" checked={editing.disabled} /> {t('admin.disable')}</label></div>
        <div class="field"><label for="e-pw">{t('admin.resetpw')}</label><input id="e-pw" name="new_password" type="password" autocomplete="new-password" {...described('password')} /><FieldMessage error={error} field="password" /></div>
        <button type="submit" class="primary">{t('admin.save')}</button> <button type="button" onClick={() => setEditing(null)}>{t('merge.cancel')}</button>
      </form>}
      <form class="card" onSubmit={create} aria-labelledby="new-title">
        <h2 id="new-title">{t('admin.new')}</h2>
        <div class="field"><label for="n-user">{t('signin.username')}</label><input id="n-user" name="username" required autocomplete="off" {...described('username')} /><FieldMessage error={error} field="username" /></div>
        <div class="field"><label for="n-pw">{t('signin.password')}</label><input id="n-pw" name="password" type="password" required autocomplete="new-password" {...described('password')} /><FieldMessage error={error} field="password" /></div>
        <div class="field"><label for="n-role">{t('admin.role')}</label><select id="n-role" name="role">{ROLES.map((r) => <option value={r} selected={r === 'editor'}>{t(`role.${r}` as any)}</option>)}</select><FieldMessage error={error} field="role" /></div>
        <div class="field"><label for="n-jur">{t('me.jurisdictions')}</label><input id="n-jur" name="jurisdictions" placeholder="330421, 330482" {...described('jurisdictions')} /><FieldMessage error={error} field="jurisdictions" /></div>
        <button type="submit" class="primary">{t('admin.create')}</button>
      </form>
    </>
  );
}

function Audit() {
  const [filter, setFilter] = useState({ username: '', target_type: '', target_id: '' });
  const [entries, setEntries] = useState<any[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => { get(`audit${qs({ ...filter, limit: 100 })}`).then((d) => { setEntries(d.entries ?? d.audit ?? []); setError(null); }).catch((e) => setError(e.message)); }, [filter.username, filter.target_type, filter.target_id]);
  const input = (key: keyof typeof filter) => <label>{t(`audit.${key}` as any)}<input value={filter[key]} onChange={(e) => setFilter({ ...filter, [key]: (e.target as HTMLInputElement).value.trim() })} /></label>;
  return (
    <>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>{input('username')}{input('target_type')}{input('target_id')}</form>
      {error && <p class="error" role="alert">{error}</p>}
      <table class="list">
        <thead><tr><th scope="col">#</th><th scope="col">{t('history.when')}</th><th scope="col">{t('history.who')}</th><th scope="col">{t('audit.action')}</th><th scope="col">{t('audit.target_type')}</th><th scope="col">{t('audit.target_id')}</th><th scope="col">{t('audit.detail')}</th></tr></thead>
        <tbody>{entries.map((e) => <tr><td>{e.id}</td><td>{String(e.at ?? e.recorded_at ?? '').slice(0, 19).replace('T', ' ')}</td><td>{e.username}</td><td>{e.action}</td><td>{e.target_type}</td><td>{e.target_id}</td><td class="mono small">{JSON.stringify(e.detail)}</td></tr>)}</tbody>
      </table>
    </>
  );
}
