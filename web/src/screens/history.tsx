// A record's versions with who, when and why; a diff of any two, geometry included (both drawn
// on the map, the older blue and the newer red); retiring the record with a reason.
import { useEffect, useRef, useState } from 'preact/hooks';
import { call, get, ApiError, type Actor } from '../api';
import { t } from '../i18n';
import { createMap, readFeatures, type DimingMap } from '../map';
import { ALL_FIELDS, valueAt, same, show } from './place';
import { loadLayers } from './map';

export function HistoryScreen({ id }: { id: string; actor: Actor }) {
  const [history, setHistory] = useState<any>(null);
  const [pair, setPair] = useState<[number, number] | null>(null);
  const [versions, setVersions] = useState<[any, any] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const mapEl = useRef<HTMLDivElement>(null);
  const dm = useRef<DimingMap | null>(null);
  const load = () => get(`places/${id}/history`).then((h) => {
    setHistory(h);
    const n = h.versions.length;
    setPair([h.versions[Math.max(0, n - 2)].version, h.versions[n - 1].version]);
  }).catch((e) => setError(e.message));
  useEffect(() => { load(); }, [id]);
  useEffect(() => { dm.current = createMap(mapEl.current!); loadLayers(dm.current, '', false).catch(() => {}); return () => dm.current?.map.setTarget(undefined); }, []);
  useEffect(() => {
    if (!pair) return;
    Promise.all(pair.map((v) => get(`places/${id}/versions/${v}`))).then(([a, b]) => {
      setVersions([a, b]);
      const m = dm.current!;
      m.highlight.clear();
      for (const [feature, colour] of [[a, '#1565c0'], [b, '#c62828']] as [any, string][]) {
        if (feature.geometry) m.highlight.addFeatures(readFeatures({ type: 'Feature', geometry: feature.geometry, properties: { colour } }));
      }
      const extent = m.highlight.getExtent();
      if (isFinite(extent[0])) m.map.getView().fit(extent, { maxZoom: 15, padding: [40, 40, 40, 40] });
    }).catch((e) => setError(e.message));
  }, [pair?.[0], pair?.[1]]);
  const retire = async (e: Event) => {
    e.preventDefault();
    try {
      const { etag } = await call(`places/${id}`);
      const { data } = await call(`places/${id}/retire`, { method: 'POST', ifMatch: etag, body: { comment: reason } });
      setDone(t('history.retired', { v: data.version.version })); setError(null); load();
    } catch (err) { setError(err instanceof ApiError ? err.message : String(err)); }
  };
  const changed = versions ? ALL_FIELDS.filter((k) => !same(valueAt(versions[0].properties, k), valueAt(versions[1].properties, k))) : [];
  const geometryChanged = versions && !same(versions[0].geometry, versions[1].geometry);
  return (
    <div class="history-screen">
      <section class="page">
        <h1>{t('history.title')} <a href={`#/places/${id}`}>{versions?.[1]?.properties.standard_name}</a></h1>
        {error && <p class="error" role="alert">{error}</p>}
        {history && <table class="versions">
          <caption>{t('history.pick')}</caption>
          <thead><tr><th scope="col">A</th><th scope="col">B</th><th scope="col">{t('history.version')}</th><th scope="col">{t('history.action')}</th><th scope="col">{t('history.who')}</th><th scope="col">{t('history.when')}</th><th scope="col">{t('history.why')}</th></tr></thead>
          <tbody>{history.versions.map((v: any) => <tr>
            <td><input type="radio" name="a" aria-label={`A ${v.version}`} checked={pair?.[0] === v.version} onChange={() => setPair([v.version, pair![1]])} /></td>
            <td><input type="radio" name="b" aria-label={`B ${v.version}`} checked={pair?.[1] === v.version} onChange={() => setPair([pair![0], v.version])} /></td>
            <td>{v.version}</td><td>{t(`action.${v.action}` as any)}</td><td>{v.recorded_by}</td><td>{v.recorded_at.slice(0, 19).replace('T', ' ')} <small>({t('history.effective')} {v.effective_on})</small></td><td>{v.comment}</td>
          </tr>)}</tbody>
        </table>}
        {versions && <table class="diff" aria-label={t('history.diff')}>
          <thead><tr><th scope="col">{t('merge.field')}</th><th scope="col" class="old">{t('history.version')} {versions[0].version.version}</th><th scope="col" class="new">{t('history.version')} {versions[1].version.version}</th></tr></thead>
          <tbody>
            {changed.map((k) => <tr><th scope="row">{t(`field.${k}` as any)}</th><td class="old">{show(valueAt(versions[0].properties, k))}</td><td class="new">{show(valueAt(versions[1].properties, k))}</td></tr>)}
            {geometryChanged && <tr><th scope="row">{t('group.geometry')}</th><td class="old">{t('history.blue')}</td><td class="new">{t('history.red')}</td></tr>}
            {!changed.length && !geometryChanged && <tr><td colSpan={3}>{t('history.nodiff')}</td></tr>}
          </tbody>
        </table>}
        <form class="retire" onSubmit={retire}>
          <h2>{t('history.retire')}</h2>
          <div class="field"><label for="retire-reason">{t('history.reason')}</label><input id="retire-reason" required value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} /></div>
          <button type="submit">{t('history.retire')}</button>
          {done && <p class="ok" role="status">{done}</p>}
        </form>
      </section>
      <div class="place-map"><div ref={mapEl} class="map" role="region" aria-label={t('history.maplabel')} /></div>
    </div>
  );
}
