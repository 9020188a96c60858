// Divisions: the tree as it stood on a day, a division's chain, states and events; change
// events proposed by administrators and approved or rejected by reviewers. Pending events are
// listed only to those the service lets see them.
import { useEffect, useState } from 'preact/hooks';
import { call, get, qs, ApiError, type Actor } from '../api';
import { t } from '../i18n';

const KINDS = ['establish', 'abolish', 'rename', 'merge', 'split', 'reparent', 'seat_move', 'change_kind'];

function Branch({ code, name, asOf, open: startOpen }: { code: string; name: string; asOf: string; open?: boolean }) {
  const [open, setOpen] = useState(!!startOpen);
  const [children, setChildren] = useState<any[] | null>(null);
  useEffect(() => { if (open && !children) get(`divisions${qs({ parent: code, as_of: asOf, limit: 500 })}`).then((d) => setChildren(d.divisions)); }, [open]);
  useEffect(() => { setChildren(null); if (open) get(`divisions${qs({ parent: code, as_of: asOf, limit: 500 })}`).then((d) => setChildren(d.divisions)); }, [asOf]);
  return (
    <li role="treeitem" aria-expanded={open} aria-selected={false}>
      <button type="button" class="twisty" aria-label={t(open ? 'div.collapse' : 'div.expand', { name })} onClick={() => setOpen(!open)}>{open ? '▾' : '▸'}</button>
      <a href={`#/divisions/${code}`}>{name}</a> <small>{code}</small>
      {open && children && children.length > 0 && <ul role="group">{children.map((c) => <Branch code={c.code} name={c.name} asOf={asOf} />)}</ul>}
    </li>
  );
}

export function DivisionsScreen({ code, actor }: { code?: string; actor: Actor }) {
  const [asOf, setAsOf] = useState(new Date().toISOString().slice(0, 10));
  const [roots, setRoots] = useState<any[]>([]);
  const [detail, setDetail] = useState<any>(null);
  const [events, setEvents] = useState<any[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => { get(`divisions${qs({ level: 'province', as_of: asOf })}`).then((d) => setRoots(d.divisions)); }, [asOf]);
  useEffect(() => { if (code) get(`divisions/${code}${qs({ as_of: asOf })}`).then(setDetail).catch((e) => setError(e.message)); }, [code, asOf]);
  const loadEvents = () => get('division-events').then((d) => setEvents(d.events)).catch((e) => setError(e.message));
  useEffect(() => { loadEvents(); }, []);
  const act = async (e: Event, id: string, verdict: 'approve' | 'reject') => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const body = verdict === 'approve' ? { approval: { authority: form.get('authority'), approved_on: form.get('approved_on'), document_number: form.get('document_number') } } : { reason: form.get('reason') };
    try { await call(`division-events/${id}/${verdict}`, { method: 'POST', body }); setNotice(t(verdict === 'approve' ? 'ev.approved' : 'ev.rejected')); setError(null); loadEvents(); }
    catch (err) { setError(err instanceof ApiError ? `${err.message}${err.problem.errors?.map((x) => ` ${x.field}: ${x.message}`).join('') ?? ''}` : String(err)); }
  };
  const propose = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const becomes = { code: String(form.get('new_code') || form.get('code')), name: String(form.get('new_name')), ...(form.get('new_kind') ? { kind: String(form.get('new_kind')) } : {}) };
    const body = { kind: form.get('kind'), effective_on: form.get('effective_on'), summary: form.get('summary'), reviewers: String(form.get('reviewers') || '').split(/[,\s]+/).filter(Boolean), changes: [{ code: form.get('code'), becomes }] };
    try { await call('division-events', { method: 'POST', body }); setNotice(t('ev.proposed')); setError(null); (e.target as HTMLFormElement).reset(); loadEvents(); }
    catch (err) { setError(err instanceof ApiError ? `${err.message}${err.problem.errors?.map((x) => ` ${x.field}: ${x.message}`).join('') ?? ''}` : String(err)); }
  };
  const mayReview = actor.role === 'reviewer' || actor.role === 'admin';
  return (
    <div class="divisions-screen">
      <section class="page tree-pane">
        <h1>{t('nav.divisions')}</h1>
        <label class="field">{t('map.asof')}<input type="date" value={asOf} onChange={(e) => setAsOf((e.target as HTMLInputElement).value)} /></label>
        <ul role="tree" aria-label={t('div.tree')} class="tree">{roots.map((r) => <Branch code={r.code} name={r.name} asOf={asOf} open />)}</ul>
      </section>
      <section class="page">
        {detail && <article aria-labelledby="div-title">
          <h2 id="div-title">{detail.division.name} <small>{detail.division.code} · {detail.division.kind}</small></h2>
          <p>{detail.chain.map((c: any) => c.name).join(' › ')}</p>
          <h3>{t('div.states')}</h3>
          <ul>{detail.states.map((s: any) => <li>{s.valid_from ?? '…'} – {s.valid_to ?? '…'}: {s.name} ({s.code}, {s.kind})</li>)}</ul>
          <h3>{t('div.events')}</h3>
          <ul>{detail.events.map((e: any) => <li>{e.effective_on} {e.summary} <small>{t(`ev.status.${e.status}` as any)}</small></li>)}</ul>
        </article>}
        {error && <p class="error" role="alert">{error}</p>}
        {notice && <p class="ok" role="status">{notice}</p>}
        <h2>{t('div.eventlist')}</h2>
        <ul class="events">{events.map((ev) => <li class="event" data-status={ev.status}>
          <strong>{ev.summary}</strong> · {t(`ev.kind.${ev.kind}` as any)} · {ev.effective_on} · <span class="badge">{t(`ev.status.${ev.status}` as any)}</span>
          {ev.status === 'pending' && mayReview && <div class="review">
            <form onSubmit={(e) => act(e, ev.id, 'approve')} aria-label={t('ev.approve')}>
              <label>{t('field.approval.authority')}<input name="authority" required /></label>
              <label>{t('field.approval.approved_on')}<input name="approved_on" type="date" required /></label>
              <label>{t('field.approval.document_number')}<input name="document_number" required /></label>
              <button type="submit" class="primary">{t('ev.approve')}</button>
            </form>
            <form onSubmit={(e) => act(e, ev.id, 'reject')} aria-label={t('ev.reject')}>
              <label>{t('ev.reason')}<input name="reason" required /></label>
              <button type="submit">{t('ev.reject')}</button>
            </form>
          </div>}
        </li>)}</ul>
        {actor.role === 'admin' && <form class="propose" onSubmit={propose} aria-labelledby="prop-title">
          <h2 id="prop-title">{t('ev.propose')}</h2>
          <label>{t('ev.kind')}<select name="kind">{KINDS.map((k) => <option value={k}>{t(`ev.kind.${k}` as any)}</option>)}</select></label>
          <label>{t('ev.effective')}<input name="effective_on" type="date" required /></label>
          <label>{t('ev.summary')}<input name="summary" required /></label>
          <label>{t('ev.code')}<input name="code" required defaultValue={code ?? ''} /></label>
          <label>{t('ev.newname')}<input name="new_name" required /></label>
          <label>{t('ev.newcode')}<input name="new_code" /></label>
          <label>{t('ev.newkind')}<input name="new_kind" /></label>
          <label>{t('ev.reviewers')}<input name="reviewers" /></label>
          <button type="submit" class="primary">{t('ev.submit')}</button>
        </form>}
      </section>
    </div>
  );
}
