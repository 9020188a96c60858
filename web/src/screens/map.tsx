// The first screen: the map of the register with its layers toggled in a legend, search as
// you type, a reverse lookup on click, the pointer's position in the system chosen, an "as of"
// day, and the worklist of what waits for the signed-in user.
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, qs, type Actor } from '../api';
import { t } from '../i18n';
import { createMap, readFeatures, formatPosition, SYSTEMS, CLASS_COLOURS, SIGN_COLOURS, MARKER_COLOURS, type DimingMap, type LayerName } from '../map';
import { Worklist } from './worklist';
import { SearchBox } from './search';

const CLASSES = Object.keys(CLASS_COLOURS);

const DEFAULT_CENTER = [120.85, 30.85];
const prefetched = new Map<string, Promise<any[]>>();

/** The register's names with a geometry in the 10-degree box around (lon, lat). */
function namesAround(lon: number, lat: number, asOf: string): Promise<any[]> {
  const bbox = [lon - 4.9, lat - 4.9, lon + 4.9, lat + 4.9].map((v) => v.toFixed(3)).join(',');
  const key = `${bbox}|${asOf}`;
  const early = prefetched.get(key);
  if (early) { prefetched.delete(key); return early; }
  return (async () => {
    const features: any[] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await get(`places${qs({ limit: 1000, offset, as_of: asOf, bbox })}`);
      features.push(...page.features);
      if (page.features.length < 1000) break;
    }
    return features;
  })();
}

/** Asks for the first screen's names while the shell still checks the session (they are
 *  public), so the map is drawn one round trip sooner. */
export function prefetchFirstScreen() {
  const [lon, lat] = DEFAULT_CENTER;
  const bbox = [lon - 4.9, lat - 4.9, lon + 4.9, lat + 4.9].map((v) => v.toFixed(3)).join(',');
  const promise = namesAround(lon, lat, '');
  promise.catch(() => prefetched.delete(`${bbox}|`));
  prefetched.set(`${bbox}|`, promise);
}

/** Loads the layers of the register as it stood on `asOf` (today when empty) around the
 *  view's centre (the service answers boxes of up to 10 degrees): names first, so the map is
 *  drawn, then the signs, boundary lines and markers. */
export async function loadLayers(dm: DimingMap, asOf: string, signedIn: boolean, drawn?: () => void) {
  const [lon, lat] = dm.map.getView().getCenter() ?? DEFAULT_CENTER;
  const features = await namesAround(lon, lat, asOf);
  const withGeometry = features.filter((f) => f.geometry);
  const isDivision = (f: any) => String(f.properties.category).startsWith('21') && f.geometry.type !== 'Point';
  const flatten = (f: any) => ({ ...f, properties: { ...f.properties, place_id: f.id } });
  dm.sources.divisions.clear();
  dm.sources.divisions.addFeatures(readFeatures({ type: 'FeatureCollection', features: withGeometry.filter(isDivision).map(flatten) }));
  dm.sources.places.clear();
  dm.sources.places.addFeatures(readFeatures({ type: 'FeatureCollection', features: withGeometry.filter((f) => !isDivision(f)).map(flatten) }));
  drawn?.();
  if (!signedIn) return;
  await Promise.all([loadSigns(dm), loadLines(dm, asOf)]);
}

async function loadSigns(dm: DimingMap) {
  const signs = await get(`signs${qs({ limit: 1000 })}`);
  dm.sources.signs.clear();
  dm.sources.signs.addFeatures(readFeatures({ type: 'FeatureCollection', features: signs.signs.filter((s: any) => s.sign.position).map((s: any) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: s.sign.position }, properties: { sign_id: s.sign.id, status: s.sign.status, name: s.sign.sign_number } })) }));
}

async function loadLines(dm: DimingMap, asOf: string) {
  // Boundary lines between neighbouring counties: pairs whose extents touch.
  const counties = dm.sources.divisions.getFeatures().filter((f) => f.get('category') === '213');
  dm.sources.boundaries.clear();
  const pairs: [string, string][] = [];
  for (let i = 0; i < counties.length; i++) for (let j = i + 1; j < counties.length; j++) {
    const [a, b] = [counties[i], counties[j]];
    const [ea, eb] = [a.getGeometry()!.getExtent(), b.getGeometry()!.getExtent()];
    if (ea[0] <= eb[2] && eb[0] <= ea[2] && ea[1] <= eb[3] && eb[1] <= ea[3]) pairs.push([a.get('division_codes')[0], b.get('division_codes')[0]]);
  }
  await Promise.all(pairs.map(async ([a, b]) => {
    try {
      const line = await get(`boundaries${qs({ between: `${a},${b}`, as_of: asOf })}`);
      if (line.geometry) dm.sources.boundaries.addFeatures(readFeatures(line));
    } catch { /* no shared edge */ }
  }));
  // Markers stand on the lines: list each line's, in lon/lat.
  dm.sources.markers.clear();
  await Promise.all(pairs.map(async ([a, b]) => {
    const code = a < b ? a + b : b + a;
    const list = await get(`markers${qs({ line: code })}`).catch(() => ({ markers: [] }));
    dm.sources.markers.addFeatures(readFeatures({ type: 'FeatureCollection', features: list.markers.map((m: any) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [m.position.x, m.position.y] }, properties: { number: m.marker_number, condition: m.condition ?? 'unknown' } })) }));
  }));
  dm.sources.boundaries.set('pairs', pairs);
}

export function MapScreen({ actor }: { actor: Actor }) {
  const target = useRef<HTMLDivElement>(null);
  const dmRef = useRef<DimingMap | null>(null);
  const [asOf, setAsOf] = useState('');
  const [system, setSystem] = useState(localStorage.getItem('diming.crs') ?? 'EPSG:4490');
  const [pointer, setPointer] = useState<number[] | null>(null);
  const [lookup, setLookup] = useState<any>(null);
  const [visible, setVisible] = useState<Record<LayerName, boolean>>({ divisions: true, places: true, signs: true, boundaries: true, markers: true });
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  const [status, setStatus] = useState<string>('');
  const systemRef = useRef(system);
  systemRef.current = system;

  useEffect(() => {
    const dm = createMap(target.current!);
    dmRef.current = dm;
    (window as any).dimingMap = dm;
    dm.map.on('pointermove', (e) => setPointer(e.coordinate));
    dm.map.on('singleclick', async (e) => {
      const hit = dm.map.forEachFeatureAtPixel(e.pixel, (f) => f, { hitTolerance: 4, layerFilter: (l) => ['places', 'signs', 'markers'].includes(l.get('name')) });
      const [lon, lat] = e.coordinate;
      const reverse = await get(`reverse${qs({ lon: lon.toFixed(6), lat: lat.toFixed(6) })}`).catch(() => null);
      setLookup({ at: e.coordinate, reverse, hit: hit ? hit.getProperties() : null });
    });
    dm.map.once('rendercomplete', () => { (window as any).dimingFirstRender = performance.now(); });
    return () => dm.map.setTarget(undefined);
  }, []);
  useEffect(() => {
    const dm = dmRef.current!;
    setStatus(t('map.loading'));
    delete document.body.dataset.mapReady;
    const drawn = () => {
      // The first load frames the divisions of the area; a change of day keeps the view.
      const extent = dm.sources.divisions.getExtent();
      if (!asOf && isFinite(extent[0]) && !dm.map.get('framed')) { dm.map.getView().fit(extent, { padding: [20, 20, 20, 20] }); dm.map.set('framed', true); }
      dm.map.once('rendercomplete', () => { (window as any).dimingDataRender = performance.now(); document.body.dataset.namesDrawn = '1'; });
    };
    loadLayers(dm, asOf, true, drawn).then(() => {
      setStatus(t('map.loaded', { n: dm.sources.places.getFeatures().length + dm.sources.divisions.getFeatures().length }));
      document.body.dataset.mapReady = '1';
    }).catch((e) => setStatus(String(e.message ?? e)));
  }, [asOf]);
  // The layer follows its checkbox at once (not after the next render), so a click and the map never disagree.
  const toggleLayer = (name: LayerName) => {
    const next = !visible[name];
    dmRef.current?.layers[name].setVisible(next);
    setVisible({ ...visible, [name]: next });
  };
  useEffect(() => { const dm = dmRef.current!; dm.hidden.clear(); hidden.forEach((h) => dm.hidden.add(h)); dm.refresh(); }, [hidden]);

  const toggle = (key: string) => setHidden((h) => { const n = new Set(h); n.has(key) ? n.delete(key) : n.add(key); return n; });
  const flyTo = (position: number[], id?: number) => {
    const dm = dmRef.current!;
    dm.map.getView().animate({ center: position, zoom: 13, duration: 300 });
    dm.highlight.clear();
    dm.highlight.addFeatures(readFeatures({ type: 'Feature', geometry: { type: 'Point', coordinates: position }, properties: {} }));
    if (id) setLookup({ at: position, reverse: null, hit: { place_id: id } });
  };
  const legendItem = (key: string, colour: string, label: string) => (
    <label class="legend-item"><input type="checkbox" checked={!hidden.has(key)} onChange={() => toggle(key)} /><span class="swatch" style={{ background: colour }} aria-hidden="true" />{label}</label>
  );
  return (
    <div class="map-screen">
      <aside class="side" aria-label={t('map.side')}>
        <SearchBox onPick={(hit) => hit.position ? flyTo(hit.position, hit.id) : (location.hash = `#/places/${hit.id}`)} asOf={asOf} />
        <Worklist actor={actor} />
        <section aria-labelledby="legend-title" class="legend">
          <h2 id="legend-title">{t('map.legend')}</h2>
          <label class="field">{t('map.asof')}<input type="date" value={asOf} onChange={(e) => setAsOf((e.target as HTMLInputElement).value)} /></label>
          {(Object.keys(visible) as LayerName[]).map((name) => (
            <div class="layer">
              <label class="layer-name"><input type="checkbox" checked={visible[name]} onChange={() => toggleLayer(name)} /> {t(`layer.${name}` as any)}</label>
              {name === 'places' && CLASSES.map((c) => legendItem(`class:${c}`, CLASS_COLOURS[c], t(`class.${c}` as any)))}
              {name === 'signs' && Object.keys(SIGN_COLOURS).map((s) => legendItem(`sign:${s}`, SIGN_COLOURS[s], t(`sign.status.${s}` as any)))}
              {name === 'markers' && Object.keys(MARKER_COLOURS).map((s) => legendItem(`marker:${s}`, MARKER_COLOURS[s], t(`marker.condition.${s}` as any)))}
            </div>
          ))}
        </section>
        {lookup && <LookupPanel lookup={lookup} system={system} />}
      </aside>
      <div class="map-wrap">
        <div ref={target} class="map" role="application" aria-label={t('map.label')} tabIndex={0} />
        <div class="map-bar">
          <label>{t('map.crs')}<select value={system} onChange={(e) => { const v = (e.target as HTMLSelectElement).value; setSystem(v); localStorage.setItem('diming.crs', v); }}>
            {SYSTEMS.map((s) => <option value={s.code}>{s.label}</option>)}
          </select></label>
          <output class="coords" aria-live="off">{pointer ? formatPosition(pointer, system) : '—'}</output>
          <span class="status" role="status">{status}</span>
          <a class="button" href="#/places/new">{t('place.new')}</a>
        </div>
      </div>
    </div>
  );
}

function LookupPanel({ lookup, system }: { lookup: any; system: string }) {
  const { reverse, hit } = lookup;
  return (
    <section class="lookup" aria-labelledby="lookup-title" aria-live="polite">
      <h2 id="lookup-title">{t('map.here')}</h2>
      <p class="mono">{formatPosition(lookup.at, system)}</p>
      {hit?.place_id && <p><a href={`#/places/${hit.place_id}`}>{hit.standard_name ?? t('place.open')}</a> · <a href={`#/places/${hit.place_id}/history`}>{t('history.title')}</a></p>}
      {hit?.sign_id && <p><a href={`#/signs/${hit.sign_id}`}>{t('sign.title')} {hit.name}</a></p>}
      {reverse && <>
        <p>{reverse.divisions.map((d: any) => d.name).join(' › ')}</p>
        <ul>{reverse.nearest.slice(0, 5).map((n: any) => <li><a href={`#/places/${n.id}`}>{n.name}</a> <small>{Math.round(n.distance_m)} m</small></li>)}</ul>
      </>}
    </section>
  );
}
