// A place record: every census field grouped as the 登记表 groups them, the service's field
// errors beside their fields, the geometry drawn and modified on the map with snapping, the
// romanization the rules propose with their reasons, save with If-Match, and on 412 the other
// person's version beside mine, field by field, to take either.
import { useEffect, useRef, useState } from 'preact/hooks';
import { call, get, qs, ApiError, type Actor } from '../api';
import { t } from '../i18n';
import { createMap, editGeometry, readFeatures, type DimingMap } from '../map';
import { loadLayers } from './map';

type Kind = 'text' | 'textarea' | 'date' | 'int' | 'number' | 'select' | 'list' | 'category';
interface Field { key: string; kind: Kind; options?: string[]; required?: boolean }
const f = (key: string, kind: Kind = 'text', extra: Partial<Field> = {}): Field => ({ key, kind, ...extra });
export const GROUPS: { key: string; fields: Field[] }[] = [
  { key: 'identity', fields: [f('standard_name', 'text', { required: true }), f('category', 'category', { required: true }), f('division_codes', 'list', { required: true })] },
  { key: 'romanization', fields: [f('romanization'), f('generic_romanization'), f('minority_script_name'), f('minority_language')] },
  { key: 'time', fields: [f('status', 'select', { options: ['current', 'historical'] }), f('named_on', 'date'), f('established_year', 'int'), f('abolished_year', 'int'), f('classification', 'select', { options: ['public', 'internal', 'secret'] })] },
  { key: 'geometry', fields: [f('survey_method', 'select', { options: ['', 'surveyed', 'map_reading', 'other'] }), f('elevation_m', 'number')] },
  { key: 'content', fields: [f('meaning', 'textarea'), f('history', 'textarea'), f('description', 'textarea')] },
  { key: 'provenance', fields: [f('source', 'textarea'), f('registered_on', 'date'), f('registered_by'), f('registered_unit'), f('sign_count', 'int')] },
  { key: 'approval', fields: [f('approval.authority'), f('approval.approved_on', 'date'), f('approval.document_number')] },
];
export const ALL_FIELDS = GROUPS.flatMap((g) => g.fields.map((x) => x.key));

export function valueAt(props: any, key: string): any {
  return key.split('.').reduce((o, k) => (o == null ? undefined : o[k]), props);
}
function setAt(props: any, key: string, value: any): any {
  const next = structuredClone(props);
  const parts = key.split('.');
  let o = next;
  for (const p of parts.slice(0, -1)) o = o[p] ??= {};
  o[parts[parts.length - 1]] = value;
  return next;
}
export const same = (a: any, b: any) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
export const show = (v: any) => v == null || v === '' ? '—' : Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v);

/** The properties as the service takes them: empty texts become null, numbers parsed. */
function cleaned(props: any): any {
  const out = structuredClone(props);
  for (const g of GROUPS) for (const fd of g.fields) {
    let v = valueAt(out, fd.key);
    if (v === '') v = null;
    if ((fd.kind === 'int' || fd.kind === 'number') && typeof v === 'string') v = Number(v);
    if (fd.key === 'sign_count' && v == null) v = 0;
    if (fd.key.startsWith('approval.')) { if (out.approval) out.approval[fd.key.slice(9)] = v; } else out[fd.key] = v;
  }
  if (out.approval && Object.values(out.approval).every((v) => v == null)) out.approval = null;
  return out;
}

let categoryList: Promise<any[]> | null = null;
const categories = () => (categoryList ??= get('categories').then((d) => d.categories.filter((c: any) => c.code.length === 3)));

export function PlaceScreen({ id, actor }: { id: string; actor: Actor }) {
  const isNew = id === 'new';
  const [base, setBase] = useState<any>(null);
  const [etag, setEtag] = useState<string | null>(null);
  const [props, setProps] = useState<any>(isNew ? { standard_name: '', category: '', division_codes: actor.jurisdictions.length === 1 && actor.jurisdictions[0].length >= 6 ? [actor.jurisdictions[0]] : [], status: 'current', classification: 'public', sign_count: 0, alternate_names: [] } : null);
  const [geometry, setGeometry] = useState<any>(null);
  const [geomType, setGeomType] = useState<'Point' | 'LineString' | 'Polygon'>('Point');
  const [comment, setComment] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [proposal, setProposal] = useState<any>(null);
  const [conflict, setConflict] = useState<{ theirs: any; theirsGeometry: any; etag: string; choice: Record<string, 'mine' | 'theirs'> } | null>(null);
  const [cats, setCats] = useState<any[]>([]);
  const mapEl = useRef<HTMLDivElement>(null);
  const dm = useRef<DimingMap | null>(null);
  const stopEdit = useRef<(() => void) | null>(null);
  const [drawKey, setDrawKey] = useState(0);

  useEffect(() => { categories().then(setCats); }, []);
  useEffect(() => {
    if (isNew) return;
    call(`places/${id}`).then(({ data, etag }) => { setBase(data); setEtag(etag); setProps(structuredClone(data.properties)); setGeometry(data.geometry); if (data.geometry) setGeomType(data.geometry.type.replace('Multi', '') as any); setDrawKey((k) => k + 1); })
      .catch((e) => setError(e));
  }, [id]);
  useEffect(() => {
    const m = createMap(mapEl.current!);
    dm.current = m;
    (window as any).dimingPlaceMap = m.map;
    loadLayers(m, "", false).catch(() => {});
    return () => m.map.setTarget(undefined);
  }, []);
  useEffect(() => {
    // (Re)start drawing: modify the geometry there is, or draw a new one of the chosen type.
    const m = dm.current;
    if (!m || (!isNew && !props)) return;
    stopEdit.current?.();
    stopEdit.current = editGeometry(m, geomType, geometry, (g) => setGeometry(g));
    if (geometry) {
      const extent = readFeatures({ type: 'Feature', geometry, properties: {} })[0].getGeometry()!.getExtent();
      m.map.getView().fit(extent, { maxZoom: 14, padding: [40, 40, 40, 40] });
    }
    return () => stopEdit.current?.();
  }, [drawKey, geomType]);

  // The map's element stays the same while the record loads, so the map drawn into it lives on.
  const mapPane = <div class="place-map"><div ref={mapEl} class="map" role="application" aria-label={t('place.maplabel')} tabIndex={0} /></div>;
  if (!props) return <div class="place-screen"><section class="place-form" aria-busy={!error}>{error ? <p class="error" role="alert">{error.message}</p> : t('app.loading')}</section>{mapPane}</div>;

  const set = (key: string, value: any) => setProps((p: any) => setAt(p, key, value));
  const fieldError = (key: string) => error?.fieldMessage(`properties.${key}`) ?? (key === 'standard_name' ? undefined : undefined);
  const body = (p: any, g: any, expected?: string) => ({ type: 'Feature', geometry: g, properties: cleaned(p), change: { comment: comment || null } , _etag: expected });
  const save = async (p = props, g = geometry, expected = etag) => {
    setError(null); setSaved(null);
    const { _etag, ...feature } = body(p, g, expected ?? undefined);
    try {
      const { data, etag: next } = await call(isNew ? 'places' : `places/${id}`, { method: isNew ? 'POST' : 'PUT', body: feature, ifMatch: isNew ? null : _etag });
      setConflict(null); setBase(data); setEtag(next); setProps(structuredClone(data.properties)); setGeometry(data.geometry);
      setSaved(t('place.saved', { v: data.version.version }));
      if (isNew) location.hash = `#/places/${data.id}`;
    } catch (e) {
      if (e instanceof ApiError && e.status === 412) {
        const current = await call(`places/${id}`);
        const choice: Record<string, 'mine' | 'theirs'> = {};
        for (const key of [...ALL_FIELDS, 'geometry']) {
          const mine = key === 'geometry' ? g : valueAt(p, key), theirs = key === 'geometry' ? current.data.geometry : valueAt(current.data.properties, key), old = key === 'geometry' ? base?.geometry : valueAt(base?.properties, key);
          if (!same(mine, theirs)) choice[key] = same(mine, old) ? 'theirs' : 'mine';
        }
        setConflict({ theirs: current.data, theirsGeometry: current.data.geometry, etag: current.etag!, choice });
      } else setError(e as ApiError);
    }
  };
  const saveMerged = () => {
    if (!conflict) return;
    let merged = structuredClone(props);
    for (const [key, side] of Object.entries(conflict.choice)) if (key !== 'geometry' && side === 'theirs') merged = setAt(merged, key, valueAt(conflict.theirs.properties, key));
    const g = conflict.choice.geometry === 'theirs' ? conflict.theirsGeometry : geometry;
    setProps(merged); setGeometry(g); setBase(conflict.theirs); setEtag(conflict.etag);
    save(merged, g, conflict.etag);
  };
  const propose = async () => {
    const division = props.division_codes?.[0];
    setProposal(await get(`romanize${qs({ name: props.standard_name, category: props.category, division })}`).catch((e) => ({ error: e.message })));
  };

  const input = (fd: Field) => {
    const v = valueAt(props, fd.key);
    const err = fieldError(fd.key);
    const id_ = `f-${fd.key.replace('.', '-')}`;
    const common = { id: id_, name: fd.key, 'aria-invalid': err ? true : undefined, 'aria-describedby': err ? `${id_}-err` : undefined, required: fd.required };
    let control;
    if (fd.kind === 'textarea') control = <textarea {...common} rows={3} value={v ?? ''} onInput={(e) => set(fd.key, (e.target as HTMLTextAreaElement).value)} />;
    else if (fd.kind === 'select') control = <select {...common} value={v ?? ''} onChange={(e) => set(fd.key, (e.target as HTMLSelectElement).value || null)}>{fd.options!.map((o) => <option value={o}>{o ? t(`opt.${o}` as any) : '—'}</option>)}</select>;
    else if (fd.kind === 'category') control = <select {...common} value={v ?? ''} onChange={(e) => set(fd.key, (e.target as HTMLSelectElement).value)}><option value="">—</option>{cats.map((c) => <option value={c.code}>{c.code} {c.name_zh} / {c.name_en}</option>)}</select>;
    else if (fd.kind === 'list') control = <input {...common} value={(v ?? []).join(', ')} onChange={(e) => set(fd.key, (e.target as HTMLInputElement).value.split(/[,，\s]+/).filter(Boolean))} />;
    else control = <input {...common} type={fd.kind === 'date' ? 'date' : fd.kind === 'text' ? 'text' : 'number'} step={fd.kind === 'number' ? 'any' : undefined} value={v ?? ''} onInput={(e) => set(fd.key, (e.target as HTMLInputElement).value)} />;
    return (
      <div class={`field ${err ? 'has-error' : ''}`}>
        <label for={id_}>{t(`field.${fd.key}` as any)}</label>
        {control}
        {err && <p class="field-error" id={`${id_}-err`}>{err}</p>}
      </div>
    );
  };

  return (
    <div class="place-screen">
      <form class="place-form" aria-labelledby="place-title" onSubmit={(e) => { e.preventDefault(); save(); }}>
        <h1 id="place-title">{isNew ? t('place.new') : `${base?.properties.standard_name ?? ''}`} {!isNew && base && <small>{t('place.version', { v: base.version.version, code: base.version.code })}</small>}</h1>
        {!isNew && <p><a href={`#/places/${id}/history`}>{t('history.title')}</a></p>}
        {GROUPS.map((g) => (
          <fieldset class={`group group-${g.key}`}>
            <legend>{t(`group.${g.key}` as any)}</legend>
            {g.fields.map(input)}
            {g.key === 'romanization' && <div class="romanize">
              <button type="button" onClick={propose}>{t('place.propose')}</button>
              {proposal && (proposal.error ? <p class="error">{proposal.error}</p> : <div class="proposal" aria-live="polite">
                <p><strong lang="zh-Latn-pinyin">{proposal.standard}</strong> ({proposal.sign}) <button type="button" onClick={() => { set('romanization', proposal.standard); set('generic_romanization', proposal.generic?.standard ?? null); }}>{t('place.take')}</button></p>
                <ul>{proposal.reasons.map((r: any) => <li><strong>{r.rule}</strong>: {r.detail}</li>)}</ul>
              </div>)}
            </div>}
            {g.key === 'geometry' && <div class="geom-tools">
              <label>{t('place.geomtype')}<select value={geomType} onChange={(e) => { setGeometry(null); setGeomType((e.target as HTMLSelectElement).value as any); }}>
                <option value="Point">{t('geom.Point')}</option><option value="LineString">{t('geom.LineString')}</option><option value="Polygon">{t('geom.Polygon')}</option></select></label>
              <button type="button" onClick={() => { setGeometry(null); setDrawKey((k) => k + 1); }}>{t('place.redraw')}</button>
              <output class="mono" data-testid="geometry">{geometry ? `${geometry.type} ${JSON.stringify(geometry.coordinates).slice(0, 60)}` : t('place.nogeom')}</output>
              {error?.fieldMessage('geometry') && <p class="field-error" role="alert">{error.fieldMessage('geometry')}</p>}
            </div>}
          </fieldset>
        ))}
        <div class="field"><label for="f-comment">{t('place.comment')}</label><input id="f-comment" name="comment" value={comment} onInput={(e) => setComment((e.target as HTMLInputElement).value)} required={!isNew} /></div>
        {error && <div class="error" role="alert"><strong>{error.problem.title}</strong> {error.message}</div>}
        {saved && <p class="ok" role="status">{saved}</p>}
        <button type="submit" class="primary">{t('place.save')}</button>
      </form>
      {mapPane}
      {conflict && (
        <div class="modal" role="dialog" aria-modal="true" aria-labelledby="merge-title">
          <div class="merge">
            <h2 id="merge-title">{t('merge.title')}</h2>
            <p>{t('merge.explain', { who: conflict.theirs.version.recorded_by, v: conflict.theirs.version.version })}</p>
            <table>
              <thead><tr><th scope="col">{t('merge.field')}</th><th scope="col">{t('merge.mine')}</th><th scope="col">{t('merge.theirs')}</th></tr></thead>
              <tbody>{Object.keys(conflict.choice).map((key) => {
                const mine = key === 'geometry' ? geometry : valueAt(props, key), theirs = key === 'geometry' ? conflict.theirsGeometry : valueAt(conflict.theirs.properties, key);
                const pick = (side: 'mine' | 'theirs') => setConflict({ ...conflict, choice: { ...conflict.choice, [key]: side } });
                return <tr data-field={key}>
                  <th scope="row">{key === 'geometry' ? t('group.geometry') : t(`field.${key}` as any)}</th>
                  <td><label><input type="radio" name={`m-${key}`} value="mine" checked={conflict.choice[key] === 'mine'} onChange={() => pick('mine')} /> {show(key === 'geometry' ? mine?.type : mine)}</label></td>
                  <td><label><input type="radio" name={`m-${key}`} value="theirs" checked={conflict.choice[key] === 'theirs'} onChange={() => pick('theirs')} /> {show(key === 'geometry' ? theirs?.type + ' ' + JSON.stringify(theirs?.coordinates).slice(0, 40) : theirs)}</label></td>
                </tr>;
              })}</tbody>
            </table>
            <button type="button" class="primary" onClick={saveMerged}>{t('merge.save')}</button> <button type="button" onClick={() => setConflict(null)}>{t('merge.cancel')}</button>
          </div>
        </div>
      )}
    </div>
  );
}
