// Boundaries and markers: the line between two divisions with its agreement and segments (each
// with its lead side), its markers with reference objects, conditions and photos; positions in
// the system the user picks.
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, qs, type Actor } from '../api';
import { t } from '../i18n';
import { createMap, readFeatures, SYSTEMS, type DimingMap } from '../map';
import { loadLayers } from './map';

export function BoundariesScreen(_: { actor: Actor }) {
  const [pairs, setPairs] = useState<[string, string][]>([]);
  const [names, setNames] = useState<Record<string, string>>({});
  const [pair, setPair] = useState<string>('');
  const [system, setSystem] = useState(localStorage.getItem('diming.crs') ?? 'EPSG:4490');
  const [line, setLine] = useState<any>(null);
  const [stored, setStored] = useState<any>(null);
  const [markers, setMarkers] = useState<any[]>([]);
  const [marker, setMarker] = useState<any>(null);
  const [error, setError] = useState<string | null>(null);
  const mapEl = useRef<HTMLDivElement>(null);
  const dm = useRef<DimingMap | null>(null);
  useEffect(() => {
    const m = createMap(mapEl.current!);
    dm.current = m;
    loadLayers(m, '', true).then(() => {
      const found = (m.sources.boundaries.get('pairs') ?? []) as [string, string][];
      const n: Record<string, string> = {};
      m.sources.divisions.getFeatures().forEach((f) => { n[f.get('division_codes')[0]] = f.get('standard_name'); });
      setNames(n); setPairs(found); if (found.length) setPair(found[0].join(','));
    });
    return () => m.map.setTarget(undefined);
  }, []);
  useEffect(() => {
    if (!pair) return;
    const [a, b] = pair.split(',');
    const code = a < b ? a + b : b + a;
    setError(null); setMarker(null);
    get(`boundaries${qs({ between: pair, crs: system === 'EPSG:4490' ? undefined : system })}`).then(setLine).catch((e) => setError(e.message));
    get(`boundary-lines/${code}`).then(setStored).catch(() => setStored(null));
    get(`markers${qs({ line: code, crs: system === 'EPSG:4490' ? undefined : system })}`).then((d) => setMarkers(d.markers)).catch(() => setMarkers([]));
    get(`boundaries${qs({ between: pair })}`).then((l) => {
      const m = dm.current!;
      m.highlight.clear();
      m.highlight.addFeatures(readFeatures({ ...l, properties: { colour: '#d50000' } }));
      m.map.getView().fit(m.highlight.getExtent(), { padding: [40, 40, 40, 40] });
    }).catch(() => {});
  }, [pair, system]);
  const open = (number: string) => get(`markers/${encodeURIComponent(number)}${qs({ crs: system === 'EPSG:4490' ? undefined : system })}`).then(setMarker).catch((e) => setError(e.message));
  const coords = line?.geometry?.coordinates?.flat?.(1) ?? [];
  return (
    <div class="signs-screen">
      <section class="page">
        <h1>{t('nav.boundaries')}</h1>
        <label class="field">{t('bd.pair')}<select value={pair} onChange={(e) => setPair((e.target as HTMLSelectElement).value)}>
          {pairs.map(([a, b]) => <option value={`${a},${b}`}>{names[a] ?? a} — {names[b] ?? b}</option>)}</select></label>
        <label class="field">{t('map.crs')}<select value={system} onChange={(e) => setSystem((e.target as HTMLSelectElement).value)}>{SYSTEMS.map((s) => <option value={s.code}>{s.label}</option>)}</select></label>
        {error && <p class="error" role="alert">{error}</p>}
        {line && <>
          <h2>{t('bd.line')} {line.properties?.line_code ?? pair}</h2>
          <p>{t('bd.length')}: {line.properties?.length_m ? `${(line.properties.length_m / 1000).toFixed(2)} km` : '—'} · {t('bd.vertices', { n: coords.length })}</p>
          <details><summary>{t('bd.coords')}</summary><ol class="mono coords-list">{coords.slice(0, 50).map((c: number[]) => <li>{c[0].toFixed(system === 'EPSG:4490' ? 6 : 2)}, {c[1].toFixed(system === 'EPSG:4490' ? 6 : 2)}</li>)}</ol></details>
        </>}
        <h2>{t('bd.agreement')}</h2>
        {stored ? <div>
          <p>{stored.properties?.agreement?.title ?? JSON.stringify(stored.properties?.agreement ?? {})}</p>
          <h3>{t('bd.segments')}</h3>
          <ul>{(stored.properties?.segments ?? []).map((s: any) => <li>{JSON.stringify(s)}</li>)}</ul>
        </div> : <p>{t('bd.nostored')}</p>}
        <h2>{t('bd.markers')}</h2>
        {markers.length ? <table class="list"><thead><tr><th scope="col">{t('bd.number')}</th><th scope="col">{t('bd.position')}</th><th scope="col">{t('bd.condition')}</th></tr></thead>
          <tbody>{markers.map((m) => <tr><td><button type="button" class="link" onClick={() => open(m.marker_number)}>{m.marker_number}</button></td><td class="mono">{m.position.x.toFixed(2)}, {m.position.y.toFixed(2)} <small>{m.position.crs}</small></td><td>{m.condition ? t(`marker.condition.${m.condition}` as any) : '—'}</td></tr>)}</tbody></table> : <p>{t('bd.nomarkers')}</p>}
        {marker && <article class="marker">
          <h3>{marker.marker.marker_number}</h3>
          <p class="mono">{marker.position.x}, {marker.position.y} ({marker.position.crs}); {t('bd.surveyed')}: {marker.surveyed.x}, {marker.surveyed.y} ({marker.surveyed.crs})</p>
          <h4>{t('bd.references')}</h4><ul>{marker.references.map((r: any) => <li>{r.name ?? r.description} {r.bearing_deg}° {r.distance_m} m</li>)}</ul>
          <h4>{t('bd.conditions')}</h4><ul>{marker.conditions.map((c: any) => <li>{c.observed_on} {t(`marker.condition.${c.condition}` as any)} {c.notes}</li>)}</ul>
          {marker.photos.map((p: string) => <img src={p} alt={t('bd.photo', { n: marker.marker.marker_number })} class="thumb" />)}
        </article>}
      </section>
      <div class="place-map"><div ref={mapEl} class="map" role="region" aria-label={t('bd.maplabel')} /></div>
    </div>
  );
}
