// House-number plates on the walls (门牌设置上墙): the campaign's progress per road and per
// division with its chart and CSV, the worklist of what needs doing (重错漏损 with where each
// problem was found), production orders with their print sheets, plates moved to the next
// stage, and a problem recorded from a field check.
import { useEffect, useState } from 'preact/hooks';
import { call, get, qs, ApiError, type Actor } from '../api';
import { t } from '../i18n';

const STAGES = ['no_plate', 'ordered', 'produced', 'installed', 'verified'] as const;
const PROBLEMS = ['duplicate', 'wrong', 'missing', 'damaged'] as const;
const NEXT: Record<string, string> = { ordered: 'produced', produced: 'installed', installed: 'verified' };

function CountsCells({ row }: { row: any }) {
  return <>
    <td>{row.assigned}</td>
    {STAGES.map((s) => <td>{row[s]}</td>)}
    {PROBLEMS.map((p) => <td>{row[p]}</td>)}
    <td>{row.percent_on_wall.toFixed(1)}%</td>
  </>;
}

function CountsHead({ first }: { first: string }) {
  return <thead><tr>
    <th scope="col">{first}</th><th scope="col">{t('plates.assigned')}</th>
    {STAGES.map((s) => <th scope="col">{t(`plates.stage.${s}` as any)}</th>)}
    {PROBLEMS.map((p) => <th scope="col" title={t(`plates.problem.${p}` as any)}>{t(`plates.char.${p}` as any)}</th>)}
    <th scope="col">{t('plates.onwall')}</th>
  </tr></thead>;
}

export function PlatesScreen({ actor, order }: { actor: Actor; order?: string }) {
  const [division, setDivision] = useState(actor.jurisdictions[0] ?? '330421');
  const [table, setTable] = useState<'roads' | 'divisions'>('roads');
  const [progress, setProgress] = useState<any>(null);
  const [orders, setOrders] = useState<any[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [stamp, setStamp] = useState(0);
  const load = () => {
    if (!/^\d{2,12}$/.test(division)) return;
    get(`addresses/plates${qs({ division })}`).then((p) => { setProgress(p); setError(null); }).catch((e) => setError(e.message));
    get(`addresses/plate-orders${qs({ division })}`).then((d) => setOrders(d.orders)).catch(() => setOrders([]));
    setStamp(Date.now());
  };
  useEffect(load, [division]);
  const newOrder = async (road_id: number) => {
    try {
      const { data } = await call('addresses/plate-orders', { method: 'POST', body: { road_id } });
      setNotice(t('plates.ordered', { n: data.items.length, id: data.id }));
      location.hash = `#/plates/${data.id}`;
      load();
    } catch (e) { setError((e as Error).message); }
  };
  const base = `/api/v1/addresses/plates${qs({ division, table })}`;
  return (
    <div class="plates-screen">
      <section class="page">
        <h1>{t('nav.plates')}</h1>
        <form class="filters" onSubmit={(e) => e.preventDefault()}>
          <label>{t('signs.division')}<input value={division} onChange={(e) => setDivision((e.target as HTMLInputElement).value.trim())} /></label>
        </form>
        {error && <p class="error" role="alert">{error}</p>}
        {notice && <p class="notice" role="status">{notice}</p>}
        {progress && <>
          <div role="tablist" aria-label={t('plates.progress')}>
            <button role="tab" aria-selected={table === 'roads'} onClick={() => setTable('roads')}>{t('plates.byroad')}</button>
            <button role="tab" aria-selected={table === 'divisions'} onClick={() => setTable('divisions')}>{t('plates.bydivision')}</button>
          </div>
          <figure class="chart wide">
            <img key={stamp} src={`${base}&format=svg`} alt={t('plates.chart', { total: progress.total.assigned, pct: progress.total.percent_on_wall })} />
          </figure>
          <p>
            <a class="button" href={`${base}&format=csv`}>{t('plates.csv')}</a>{' '}
            <a class="button" href={`/api/v1/addresses/plates${qs({ division, table: 'worklist', format: 'csv' })}`}>{t('plates.worklistcsv')}</a>
          </p>
          <table class="list counts" aria-label={t('plates.progress')}>
            <CountsHead first={table === 'roads' ? t('plates.road') : t('plates.division')} />
            <tbody>
              {table === 'roads' ? progress.roads.map((r: any) => <tr>
                <th scope="row">{r.road_name}{' '}
                  {r.no_plate > 0 && <button type="button" onClick={() => newOrder(r.road_id)}>{t('plates.order', { n: r.no_plate })}</button>}</th>
                <CountsCells row={r} />
              </tr>) : progress.divisions.map((d: any) => <tr><th scope="row">{d.name} {d.division_code}</th><CountsCells row={d} /></tr>)}
              <tr class="total"><th scope="row">{t('plates.total')}</th><CountsCells row={progress.total} /></tr>
            </tbody>
          </table>
        </>}
        <h2>{t('plates.orders')}</h2>
        {orders.length === 0 ? <p>{t('plates.noorders')}</p> : <ul class="orders">
          {orders.map((o) => <li><a href={`#/plates/${o.id}`} aria-current={String(o.id) === order ? 'page' : undefined}>
            {t('plates.orderline', { id: o.id, purpose: t(`plates.purpose.${o.purpose}` as any), when: o.created_at.slice(0, 10) })}</a>{o.due_on ? ` · ${t('plates.due', { day: o.due_on })}` : ''}</li>)}
        </ul>}
        {order && <OrderPanel id={order} onChanged={load} />}
        {progress && <Worklist items={progress.worklist} onChanged={load} />}
      </section>
    </div>
  );
}

function OrderPanel({ id, onChanged }: { id: string; onChanged: () => void }) {
  const [view, setView] = useState<any>(null);
  const [picked, setPicked] = useState<Set<number>>(new Set());
  const [error, setError] = useState<ApiError | null>(null);
  const load = () => get(`addresses/plate-orders/${id}`).then((v) => { setView(v); setError(null); }).catch((e) => setError(e));
  useEffect(() => { setPicked(new Set()); load(); }, [id]);
  if (!view) return error ? <p class="error" role="alert">{error.message}</p> : <p aria-busy="true">{t('app.loading')}</p>;
  const move = async (stage: string) => {
    const address_ids = view.items.filter((i: any) => picked.has(i.address_id) && NEXT[i.stage] === stage).map((i: any) => i.address_id);
    try {
      const { data } = await call(`addresses/plate-orders/${id}/stage`, { method: 'POST', body: address_ids.length ? { stage, address_ids } : { stage } });
      setView(data); setPicked(new Set()); setError(null); onChanged();
    } catch (e) { setError(e as ApiError); }
  };
  const toggle = (a: number) => setPicked((p) => { const n = new Set(p); n.has(a) ? n.delete(a) : n.add(a); return n; });
  return (
    <section class="order" aria-labelledby="order-title">
      <h2 id="order-title">{t('plates.orderline', { id: view.id, purpose: t(`plates.purpose.${view.purpose}` as any), when: view.created_at.slice(0, 10) })} {view.road_name ?? view.division_code}</h2>
      <p>{['ordered', 'produced', 'installed', 'verified'].map((s) => `${t(`plates.stage.${s}` as any)} ${view.stages[s] ?? 0}`).join(' · ')}</p>
      <p>
        <a class="button" href={`/api/v1/addresses/plate-orders/${view.id}/sheet.pdf`} target="_blank" rel="noopener">{t('plates.sheet')}</a>{' '}
        {['produced', 'installed', 'verified'].map((s) => <><button type="button" onClick={() => move(s)}>{t(`plates.to.${s}` as any)}</button>{' '}</>)}
      </p>
      <p class="hint">{t('plates.movehint')}</p>
      {error && <p class="error" role="alert">{error.fieldMessage('address_ids') ?? error.message}</p>}
      <table class="list">
        <thead><tr><th scope="col"><span class="sr-only">{t('signs.pick')}</span></th><th scope="col">{t('plates.address')}</th><th scope="col">{t('plates.code')}</th><th scope="col">{t('plates.stage')}</th><th scope="col">{t('plates.days')}</th></tr></thead>
        <tbody>{view.items.map((i: any) => <tr>
          <td><input type="checkbox" aria-label={t('plates.pick', { a: i.standard_address })} checked={picked.has(i.address_id)} onChange={() => toggle(i.address_id)} disabled={i.stage === 'verified'} /></td>
          <td>{i.standard_address}</td><td><a href={`#/signs/${i.sign_id}`}>{i.public_code}</a></td>
          <td>{t(`plates.stage.${i.stage}` as any)}</td>
          <td>{[i.produced_on, i.installed_on, i.verified_on].filter(Boolean).join(' / ')}</td>
        </tr>)}</tbody>
      </table>
    </section>
  );
}

function Worklist({ items, onChanged }: { items: any[]; onChanged: () => void }) {
  const [flagging, setFlagging] = useState<number | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    try {
      await call(`addresses/${flagging}/plate-flags`, { method: 'POST', body: { problem: form.get('problem'), note: form.get('note') } });
      setFlagging(null); setError(null); onChanged();
    } catch (err) { setError(err as ApiError); }
  };
  const resolve = async (flag: number) => {
    try { await call(`addresses/plate-flags/${flag}/resolve`, { method: 'POST', body: { resolution: t('plates.resolved') } }); onChanged(); }
    catch (err) { setError(err as ApiError); }
  };
  return (
    <section aria-labelledby="worklist-title">
      <h2 id="worklist-title">{t('plates.worklist', { n: items.length })}</h2>
      {error && <p class="error" role="alert">{error.fieldMessage('note') ?? error.message}</p>}
      <table class="list">
        <thead><tr><th scope="col">{t('plates.address')}</th><th scope="col">{t('plates.stage')}</th><th scope="col">{t('plates.problems')}</th><th scope="col">{t('report.act')}</th></tr></thead>
        <tbody>{items.map((w) => <tr>
          <td>{w.standard_address}</td>
          <td>{t(`plates.stage.${w.plate === 'none' ? 'no_plate' : w.plate}` as any)}</td>
          <td>{w.problems.map((p: any) => <div><strong title={t(`plates.problem.${p.problem}` as any)}>{t(`plates.char.${p.problem}` as any)}</strong> {p.note} <span class="source">（{t(`plates.source.${p.source}` as any)}）</span>
            {p.flag_id && <> <button type="button" onClick={() => resolve(p.flag_id)}>{t('plates.resolve')}</button></>}</div>)}</td>
          <td>{flagging === w.address_id
            ? <form class="flag" onSubmit={submit}>
              <label>{t('plates.problem')}<select name="problem">{PROBLEMS.map((p) => <option value={p}>{t(`plates.problem.${p}` as any)}</option>)}</select></label>
              <label>{t('plates.note')}<input name="note" required /></label>
              <button type="submit">{t('plates.record')}</button>
            </form>
            : <button type="button" onClick={() => setFlagging(w.address_id)}>{t('plates.flag')}</button>}</td>
        </tr>)}</tbody>
      </table>
    </section>
  );
}
