// Signs: the inventory as a table and on the map with filters (division, kind, status, due for
// maintenance); print sheets of QR codes for the signs ticked; the public's reports as tickets;
// a chart of signs by condition. A sign's page: its QR code, maintenance log and photos, and a
// maintenance entry from a phone, with a photo straight from its camera.
import { useEffect, useRef, useState } from 'preact/hooks';
import { call, get, qs, ApiError, type Actor } from '../api';
import { t } from '../i18n';
import { createMap, readFeatures, SIGN_COLOURS, type DimingMap } from '../map';
import { loadLayers } from './map';

const KINDS = ['street', 'lane', 'building', 'door_plate_large', 'door_plate_small', 'village', 'residential_area', 'natural_feature', 'administrative_area'];
const STATUSES = Object.keys(SIGN_COLOURS);
const ACTIONS = ['inspected', 'cleaned', 'repaired', 'replaced', 'status_changed'];

/** A bar chart drawn as SVG, with the numbers also in text for screen readers. */
export function BarChart({ title, bars }: { title: string; bars: { label: string; value: number; colour?: string }[] }) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const w = 28;
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${bars.length * (w + 8) + 8} 140`} role="img" aria-label={`${title}: ${bars.map((b) => `${b.label} ${b.value}`).join(', ')}`}>
        {bars.map((b, i) => {
          const h = (b.value / max) * 100;
          return <g><rect x={8 + i * (w + 8)} y={110 - h} width={w} height={h} fill={b.colour ?? '#0b5394'} />
            <text x={8 + i * (w + 8) + w / 2} y={106 - h} text-anchor="middle" font-size="10">{b.value}</text>
            <text x={8 + i * (w + 8) + w / 2} y={124} text-anchor="middle" font-size="9">{b.label.slice(0, 5)}</text></g>;
        })}
      </svg>
    </figure>
  );
}

export function SignsScreen({ actor }: { actor: Actor }) {
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const [filter, setFilter] = useState({ division: '', kind: '', status: '', due: params.get('due') === '1' });
  const [tab, setTab] = useState(params.get('tab') === 'reports' ? 'reports' : 'inventory');
  const [signs, setSigns] = useState<any[] | null>(null);
  const [matched, setMatched] = useState(0);
  const [picked, setPicked] = useState<Set<number>>(new Set());
  const [reports, setReports] = useState<any[]>([]);
  const [error, setError] = useState<string | null>(null);
  const mapEl = useRef<HTMLDivElement>(null);
  const dm = useRef<DimingMap | null>(null);
  useEffect(() => { dm.current = createMap(mapEl.current!); loadLayers(dm.current, '', false).catch(() => {}); return () => dm.current?.map.setTarget(undefined); }, []);
  useEffect(() => {
    get(`signs${qs({ division: filter.division, kind: filter.kind, status: filter.status, due_for_maintenance: filter.due || undefined, limit: 500 })}`).then((d) => {
      setSigns(d.signs); setMatched(d.numberMatched); setError(null);
      const m = dm.current!;
      m.sources.signs.clear();
      m.sources.signs.addFeatures(readFeatures({ type: 'FeatureCollection', features: d.signs.filter((s: any) => s.sign.position).map((s: any) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: s.sign.position }, properties: { status: s.sign.status } })) }));
      const extent = m.sources.signs.getExtent();
      if (isFinite(extent[0])) m.map.getView().fit(extent, { maxZoom: 13, padding: [30, 30, 30, 30] });
    }).catch((e) => setError(e.message));
  }, [filter.division, filter.kind, filter.status, filter.due]);
  const loadReports = () => get('signs/reports').then((d) => setReports(d.reports)).catch((e) => setError(e.message));
  useEffect(() => { loadReports(); }, []);
  const handle = async (id: number, status: string) => {
    try { await call(`signs/reports/${id}`, { method: 'POST', body: { status, resolution: status === 'closed' ? t('report.closedby', { who: actor.username }) : null } }); loadReports(); }
    catch (e) { setError((e as Error).message); }
  };
  const toggle = (id: number) => setPicked((p) => { const n = new Set(p); n.has(id) ? n.delete(id) : n.add(id); return n; });
  const byStatus = STATUSES.map((s) => ({ label: t(`sign.status.${s}` as any), value: (signs ?? []).filter((x) => x.sign.status === s).length, colour: SIGN_COLOURS[s] }));
  const sel = (key: 'kind' | 'status', options: string[], prefix: string) => (
    <label>{t(`signs.${key}` as any)}<select value={filter[key]} onChange={(e) => setFilter({ ...filter, [key]: (e.target as HTMLSelectElement).value })}>
      <option value="">{t('signs.any')}</option>{options.map((o) => <option value={o}>{t(`${prefix}.${o}` as any)}</option>)}</select></label>
  );
  return (
    <div class="signs-screen">
      <section class="page">
        <h1>{t('nav.signs')}</h1>
        <div role="tablist" aria-label={t('nav.signs')}>
          <button role="tab" aria-selected={tab === 'inventory'} onClick={() => setTab('inventory')}>{t('signs.inventory')}</button>
          <button role="tab" aria-selected={tab === 'reports'} onClick={() => setTab('reports')}>{t('signs.reports')} ({reports.filter((r) => r.status !== 'closed').length})</button>
        </div>
        {error && <p class="error" role="alert">{error}</p>}
        {tab === 'inventory' ? <>
          <form class="filters" onSubmit={(e) => e.preventDefault()}>
            <label>{t('signs.division')}<input value={filter.division} placeholder="330421" onChange={(e) => setFilter({ ...filter, division: (e.target as HTMLInputElement).value.trim() })} /></label>
            {sel('kind', KINDS, 'sign.kind')}
            {sel('status', STATUSES, 'sign.status')}
            <label><input type="checkbox" checked={filter.due} onChange={() => setFilter({ ...filter, due: !filter.due })} /> {t('signs.due')}</label>
          </form>
          <p>{t('signs.count', { n: matched })} · <a class={`button ${picked.size ? '' : 'disabled'}`} aria-disabled={!picked.size} href={picked.size ? `/api/v1/signs/qr-sheet${qs({ ids: [...picked].join(','), format: 'pdf' })}` : undefined} target="_blank" rel="noopener">{t('signs.print', { n: picked.size })}</a></p>
          <BarChart title={t('signs.chart')} bars={byStatus} />
          <table class="list">
            <thead><tr><th scope="col"><span class="sr-only">{t('signs.pick')}</span></th><th scope="col">{t('signs.number')}</th><th scope="col">{t('signs.kind')}</th><th scope="col">{t('signs.status')}</th><th scope="col">{t('signs.division')}</th><th scope="col">{t('signs.maintained')}</th></tr></thead>
            <tbody>{(signs ?? []).map(({ sign }) => <tr>
              <td><input type="checkbox" aria-label={t('signs.pickone', { n: sign.sign_number ?? sign.id })} checked={picked.has(sign.id)} onChange={() => toggle(sign.id)} /></td>
              <td><a href={`#/signs/${sign.id}`}>{sign.sign_number ?? sign.public_code}</a></td><td>{t(`sign.kind.${sign.kind}` as any)}</td><td>{t(`sign.status.${sign.status}` as any)}</td><td>{sign.division_code}</td><td>{sign.last_maintained_on ?? '—'}</td>
            </tr>)}</tbody>
          </table>
        </> : <table class="list">
          <thead><tr><th scope="col">#</th><th scope="col">{t('report.sign')}</th><th scope="col">{t('report.kind')}</th><th scope="col">{t('report.text')}</th><th scope="col">{t('report.status')}</th><th scope="col">{t('report.act')}</th></tr></thead>
          <tbody>{reports.map((r) => <tr><td>{r.id}</td><td><a href={`#/signs/${r.sign_id}`}>{r.sign_id}</a></td><td>{r.kind}</td><td>{r.text}</td><td>{r.status}</td>
            <td>{r.status !== 'closed' && <><button type="button" onClick={() => handle(r.id, 'in_progress')}>{t('report.take')}</button> <button type="button" onClick={() => handle(r.id, 'closed')}>{t('report.close')}</button></>}</td></tr>)}</tbody>
        </table>}
      </section>
      <div class="place-map"><div ref={mapEl} class="map" role="region" aria-label={t('signs.maplabel')} /></div>
    </div>
  );
}

export function SignScreen({ id }: { id: string; actor: Actor }) {
  const [sign, setSign] = useState<any>(null);
  const [etag, setEtag] = useState<string | null>(null);
  const [log, setLog] = useState<any[]>([]);
  const [scans, setScans] = useState<any[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const load = async () => {
    const { data, etag } = await call(`signs/${id}`);
    setSign(data); setEtag(etag);
    setLog((await get(`signs/${id}/maintenance`)).entries);
    setScans((await get(`signs/${id}/scans`)).days);
  };
  useEffect(() => { load().catch((e) => setError(e)); }, [id]);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    setError(null); setSaved(null);
    try {
      let photo_id: number | null = null;
      const file = form.get('photo') as File | null;
      if (file && file.size) {
        const upload = new FormData();
        upload.set('photo', file);
        photo_id = (await call(`signs/${id}/photos`, { method: 'POST', form: upload })).data.photo_id;
      }
      await call(`signs/${id}/maintenance`, { method: 'POST', ifMatch: etag, body: { action: form.get('action'), done_on: form.get('done_on') || null, notes: form.get('notes') || null, status: form.get('status') || null, photo_id } });
      (e.target as HTMLFormElement).reset(); setPreview(null);
      setSaved(t('sign.logged'));
      await load();
    } catch (err) { setError(err as ApiError); }
  };
  if (!sign) return <section class="page">{error ? <p class="error" role="alert">{error.message}</p> : t('app.loading')}</section>;
  const s = sign.sign;
  return (
    <section class="page sign-page">
      <h1>{t('sign.title')} {s.sign_number ?? s.public_code}</h1>
      <div class="sign-top">
        <img class="qr" src={`/api/v1/signs/${s.id}/qr.svg`} alt={t('sign.qr', { url: sign.url })} width={160} height={160} />
        <dl>
          <dt>{t('signs.kind')}</dt><dd>{t(`sign.kind.${s.kind}` as any)}</dd>
          <dt>{t('signs.status')}</dt><dd>{t(`sign.status.${s.status}` as any)}</dd>
          <dt>{t('signs.division')}</dt><dd>{s.division_code}</dd>
          <dt>{t('sign.place')}</dt><dd><a href={`#/places/${s.place_id}`}>{s.place_id}</a></dd>
          <dt>{t('sign.public')}</dt><dd><a href={sign.url}>{sign.url}</a></dd>
          <dt>{t('signs.maintained')}</dt><dd>{s.last_maintained_on ?? '—'}</dd>
        </dl>
      </div>
      <BarChart title={t('sign.scans')} bars={scans.slice(-14).map((d) => ({ label: d.day.slice(5), value: d.count }))} />
      <h2>{t('sign.log')}</h2>
      <ul class="log">{log.map((e) => <li><strong>{e.done_on}</strong> {t(`action.${e.action}` as any)} — {e.notes} <small>{e.recorded_by}</small>
        {e.photo_id && <img src={`/api/v1/signs/photos/${e.photo_id}`} alt={t('sign.photoof', { d: e.done_on })} class="thumb" />}</li>)}</ul>
      <form class="maintenance" onSubmit={submit} aria-labelledby="mt-title">
        <h2 id="mt-title">{t('sign.add')}</h2>
        <div class="field"><label for="mt-action">{t('sign.action')}</label><select id="mt-action" name="action">{ACTIONS.map((a) => <option value={a}>{t(`action.${a}` as any)}</option>)}</select></div>
        <div class="field"><label for="mt-status">{t('sign.newstatus')}</label><select id="mt-status" name="status"><option value="">{t('sign.unchanged')}</option>{STATUSES.map((o) => <option value={o}>{t(`sign.status.${o}` as any)}</option>)}</select></div>
        <div class="field"><label for="mt-day">{t('sign.day')}</label><input id="mt-day" name="done_on" type="date" /></div>
        <div class="field"><label for="mt-notes">{t('sign.notes')}</label><textarea id="mt-notes" name="notes" rows={2} /></div>
        <div class="field"><label for="mt-photo">{t('sign.photo')}</label><input id="mt-photo" name="photo" type="file" accept="image/*" capture="environment" onChange={(e) => { const f = (e.target as HTMLInputElement).files?.[0]; setPreview(f ? URL.createObjectURL(f) : null); }} /></div>
        {preview && <img src={preview} alt={t('sign.preview')} class="thumb" />}
        {error && <p class="error" role="alert">{error.message}{error.problem.errors?.map((x) => <span> {x.field}: {x.message}</span>)}</p>}
        {saved && <p class="ok" role="status">{saved}</p>}
        <button type="submit" class="primary">{t('sign.save')}</button>
      </form>
    </section>
  );
}
