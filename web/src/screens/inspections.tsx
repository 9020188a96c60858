// The joint inspection workspace (界线联检): the rounds the user takes part in with what waits
// in each; a round's markers on the map and in a list; the finding form of the user's own side
// (kept in the browser while there is no network, sent as one idempotent batch when it
// returns); the reconciliation of both sides with its discussion threads; disputes with the
// red/blue claims drawn on the map; tasks; and the sign-off showing the hash that is signed.
import { useEffect, useRef, useState } from 'preact/hooks';
import { call, get, ApiError, type Actor } from '../api';
import { t } from '../i18n';
import { createMap, readFeatures, SYSTEMS, type DimingMap } from '../map';
import { enqueue, waiting, flush, discard, onOutbox, remember, remembered, offline, type Waiting } from '../outbox';

const CONDITIONS = ['intact', 'tilted', 'damaged', 'buried', 'missing', 'destroyed', 'moved'];
const CHANGE_KINDS = ['construction', 'river', 'road', 'other'];
const TASK_ACTIONS = ['repair', 'rebuild', 'move', 'add'];
const TABS = ['markers', 'reconcile', 'disputes', 'tasks', 'sign'] as const;
type Tab = typeof TABS[number];
/** The 边界主张线图 colours: red for the side with the smaller code, blue for the other. */
const CLAIM_COLOURS: Record<string, string> = { red: '#d32f2f', blue: '#1565c0' };

export function InspectionsScreen({ id, tab }: { actor: Actor; id?: string; tab?: string }) {
  return id ? <Workspace id={Number(id)} tab={(TABS as readonly string[]).includes(tab ?? '') ? tab as Tab : 'markers'} /> : <RoundList />;
}

function RoundList() {
  const [rounds, setRounds] = useState<any[] | null>(null);
  const [work, setWork] = useState<Record<number, any>>({});
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get('inspections').then((d) => setRounds(d.rounds)).catch((e) => setError(e.message));
    get('inspections/worklist').then((d) => setWork(Object.fromEntries(d.rounds.map((w: any) => [w.round_id, w])))).catch(() => {});
  }, []);
  return (
    <section class="page">
      <h1>{t('ins.title')}</h1>
      <Outbox />
      {error && <p class="error" role="alert">{error}</p>}
      {rounds === null ? <p>{t('app.loading')}</p> : rounds.length === 0 ? <p>{t('ins.none')}</p> : (
        <table class="list">
          <thead><tr><th scope="col">{t('ins.line')}</th><th scope="col">{t('ins.round')}</th><th scope="col">{t('ins.state')}</th><th scope="col">{t('ins.planned')}</th><th scope="col">{t('ins.waiting')}</th></tr></thead>
          <tbody>{rounds.map((r) => {
            const w = work[r.id];
            return (
              <tr>
                <td><a href={`#/inspections/${r.id}`}>{r.side_names.join(' — ')}</a> <small class="mono">{r.line_code}</small></td>
                <td>{r.label ?? r.adhoc_cause}</td>
                <td>{t(`ins.state.${r.state}` as any)}</td>
                <td>{r.planned_start} – {r.planned_end}</td>
                <td>{w ? <WorkSummary w={w} /> : '—'}</td>
              </tr>
            );
          })}</tbody>
        </table>
      )}
    </section>
  );
}

function WorkSummary({ w }: { w: any }) {
  const parts = [
    w.findings_to_record.length ? t('ins.work.record', { n: w.findings_to_record.length }) : '',
    w.items_to_answer.length ? t('ins.work.answer', { n: w.items_to_answer.length }) : '',
    w.tasks.length ? t('ins.work.tasks', { n: w.tasks.length }) : '',
    w.to_sign ? t('ins.work.sign') : '',
  ].filter(Boolean);
  return <span>{parts.length ? parts.join('，') : t('ins.work.nothing')}</span>;
}

/** What waits in this browser to be sent, with a button to send it now. */
function Outbox({ inspection }: { inspection?: number }) {
  const [items, setItems] = useState<Waiting[]>([]);
  const [online, setOnline] = useState(navigator.onLine);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const read = () => { waiting(inspection).then(setItems); };
    read();
    const on = () => setOnline(navigator.onLine);
    addEventListener('online', on); addEventListener('offline', on);
    const off = onOutbox(read);
    return () => { off(); removeEventListener('online', on); removeEventListener('offline', on); };
  }, [inspection]);
  const sendNow = async () => { setBusy(true); try { await flush(); } finally { setBusy(false); } };
  return (
    <section class="outbox" aria-labelledby="outbox-title" aria-live="polite">
      <h2 id="outbox-title">{t('ins.outbox')}</h2>
      <p>
        <span class={online ? 'online' : 'offline'}>{online ? t('ins.online') : t('ins.offline')}</span>{' '}
        <span data-testid="waiting-count">{t('ins.outbox.count', { n: items.length })}</span>
        {items.length > 0 && <button type="button" onClick={sendNow} disabled={busy || !online}>{t('ins.outbox.send')}</button>}
      </p>
      {items.length > 0 && <ul>{items.map((w) => (
        <li>
          <span class="mono">{w.subject}</span> · {w.owner} · {new Date(w.captured_at).toLocaleString()}{w.photos.length ? ` · ${t('ins.photos', { n: w.photos.length })}` : ''}
          {w.problem && <span class="error"> {w.problem.startsWith('conflict:') ? t('ins.outbox.conflict', { v: w.problem.slice(9) }) : w.problem}</span>}
          {' '}<button type="button" class="link" onClick={() => discard(w.key)}>{t('ins.outbox.discard')}</button>
        </li>
      ))}</ul>}
    </section>
  );
}

function Workspace({ id, tab }: { id: number; tab: Tab }) {
  const [round, setRound] = useState<any>(null);
  const [etag, setEtag] = useState<string | null>(null);
  const [stale, setStale] = useState(false);
  const [findings, setFindings] = useState<any[]>([]);
  const [disputes, setDisputes] = useState<any[]>([]);
  const [subject, setSubject] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const mapEl = useRef<HTMLDivElement>(null);
  const dm = useRef<DimingMap | null>(null);
  const reload = () => setTick((n) => n + 1);
  // Read again when the network returns and whenever the outbox sent something.
  useEffect(() => {
    addEventListener('online', reload);
    const off = onOutbox(reload);
    return () => { off(); removeEventListener('online', reload); };
  }, []);

  useEffect(() => {
    const m = createMap(mapEl.current!);
    dm.current = m;
    m.map.on('singleclick', (e) => {
      const hit = m.map.forEachFeatureAtPixel(e.pixel, (f) => f, { hitTolerance: 6, layerFilter: (l) => l.get('name') === 'markers' });
      if (hit) setSubject(hit.get('number'));
    });
    return () => m.map.setTarget(undefined);
  }, []);
  useEffect(() => {
    setError(null);
    call(`inspections/${id}`).then(({ data, etag }) => { setRound(data); setEtag(etag); setStale(false); remember(id, 'round', data).catch(() => {}); })
      .catch(async (e) => {
        // In the field: the copy seen last online, so the form still opens.
        const kept = offline(e) ? await remembered(id, 'round').catch(() => null) : null;
        if (kept) { setRound(kept); setStale(true); } else setError(e.message);
      });
    const part = (name: 'findings' | 'disputes', set: (v: any[]) => void) => get(`inspections/${id}/${name}`)
      .then((d) => { set(d[name]); remember(id, name, d[name]).catch(() => {}); })
      .catch(async (e) => { if (offline(e)) { const kept = await remembered(id, name).catch(() => null); if (kept) set(kept); } });
    part('findings', setFindings);
    part('disputes', setDisputes);
  }, [id, tick]);

  const mySide: string | null = round?.your_part?.team_side ?? null;
  const sideName = (code: string) => round?.basis.line.sides.find((s: any) => s.code === code)?.name ?? code;
  const mine = (s: string) => findings.find((f) => f.side === mySide && f.subject === s);

  useEffect(() => {
    const m = dm.current;
    if (!m || !round) return;
    m.sources.boundaries.clear();
    m.sources.boundaries.addFeatures(readFeatures({ type: 'Feature', geometry: round.basis.line.geometry, properties: {} }));
    m.sources.markers.clear();
    m.sources.markers.addFeatures(readFeatures({
      type: 'FeatureCollection',
      features: round.basis.markers.map((mk: any) => ({
        type: 'Feature', geometry: { type: 'Point', coordinates: [mk.lon, mk.lat] },
        properties: { number: mk.number, condition: mine(mk.number)?.finding.condition ?? mk.condition ?? 'unknown' },
      })),
    }));
    m.highlight.clear();
    for (const d of disputes) for (const c of d.claims) {
      const colour = c.side === [...round.basis.line.sides.map((s: any) => s.code)].sort()[0] ? 'red' : 'blue';
      m.highlight.addFeatures(readFeatures({ type: 'Feature', geometry: c.line, properties: { colour: CLAIM_COLOURS[colour] } }));
    }
    if (!m.map.get('framed')) { m.map.getView().fit(m.sources.boundaries.getExtent(), { padding: [30, 30, 30, 30] }); m.map.set('framed', true); }
  }, [round, findings, disputes]);

  const move = async (to: string) => {
    const reason = to === 'cancelled' ? prompt(t('ins.cancel.reason')) : null;
    try { await call(`inspections/${id}/state`, { method: 'POST', body: { to, reason: reason ?? undefined }, ifMatch: etag }); reload(); }
    catch (e) { setError((e as Error).message); }
  };

  const subjects: string[] = round ? [...round.basis.markers.map((m: any) => m.number), ...round.basis.segments.map((s: any) => `segment-${s.number}`), 'line'] : [];
  // The map's element stays the same while the round loads: OpenLayers keeps the one it was given.
  return (
    <div class="signs-screen inspection">
      {!round ? <section class="page">{error ? <p class="error" role="alert">{error}</p> : <p>{t('app.loading')}</p>}</section> : <section class="page">
        <p><a href="#/inspections">{t('ins.title')}</a></p>
        <h1>{round.basis.line.sides.map((s: any) => s.name).join(' — ')} {round.label ?? round.adhoc_cause}</h1>
        <p>
          {t('ins.state')}: <strong data-testid="round-state">{t(`ins.state.${round.state}` as any)}</strong> · {t('ins.planned')}: {round.planned_start} – {round.planned_end} ·
          {' '}{t('ins.lead')}: {sideName(round.lead_side)} · {t('ins.tolerance')}: {round.tolerance_m} m
          {mySide && <> · {t('ins.myside')}: <strong>{sideName(mySide)}</strong></>}
        </p>
        {stale && <p class="notice">{t('ins.stale')}</p>}
        {round.moves?.length > 0 && <p>{round.moves.map((to: string) => <button type="button" onClick={() => move(to)}>{t('ins.moveto', { s: t(`ins.state.${to}` as any) })}</button>)}</p>}
        {error && <p class="error" role="alert">{error}</p>}
        <Outbox inspection={id} />
        <nav class="tabs" aria-label={t('ins.tabs')}>
          {TABS.map((k) => <a href={`#/inspections/${id}/${k}`} aria-current={k === tab ? 'page' : undefined}>{t(`ins.tab.${k}` as any)}</a>)}
        </nav>
        {tab === 'markers' && <>
          <table class="list">
            <thead><tr><th scope="col">{t('ins.subject')}</th><th scope="col">{t('ins.registered')}</th><th scope="col">{t('ins.mine')}</th></tr></thead>
            <tbody>{subjects.map((s) => {
              const basis = round.basis.markers.find((m: any) => m.number === s);
              const f = mine(s);
              return (
                <tr aria-selected={s === subject}>
                  <td><button type="button" class="link" onClick={() => setSubject(s)}>{subjectLabel(s)}</button></td>
                  <td>{basis ? `${basis.lon.toFixed(6)}, ${basis.lat.toFixed(6)}` : ''}</td>
                  <td>{f ? `v${f.version} ${f.finding.condition ? t(`marker.condition.${f.finding.condition}` as any) : f.finding.line_identifiable === false ? t('ins.unidentifiable') : '✓'}${f.finding.position?.exceeds_tolerance ? ` ⚠ ${f.finding.position.offset_m} m` : ''}` : t('ins.notyet')}</td>
                </tr>
              );
            })}</tbody>
          </table>
          {subject && (mySide
            ? <FindingForm key={subject} round={round} subject={subject} current={mine(subject)} onSaved={reload} />
            : <p>{t('ins.readonly')}</p>)}
        </>}
        {tab === 'reconcile' && <Reconcile id={id} round={round} mySide={mySide} sideName={sideName} />}
        {tab === 'disputes' && <Disputes id={id} disputes={disputes} subjects={subjects} mySide={mySide} sideName={sideName} onChange={reload} />}
        {tab === 'tasks' && <Tasks id={id} round={round} mySide={mySide} sideName={sideName} />}
        {tab === 'sign' && <SignOff id={id} round={round} sideName={sideName} onSigned={reload} />}
      </section>}
      <div class="place-map"><div ref={mapEl} class="map" role="region" aria-label={t('ins.maplabel')} /></div>
    </div>
  );
}

function subjectLabel(s: string) {
  if (s === 'line') return t('ins.wholeline');
  const segment = /^segment-(\d+)$/.exec(s);
  return segment ? t('ins.segment', { n: segment[1] }) : s;
}

/** A compared field's name; one the strings do not know is shown as the service sent it. */
function fieldName(field: string) {
  const key = `ins.field.${field.split(/[.[]/)[0]}`;
  const label = t(key as any);
  return label === key ? field : label;
}

const names = (text: string) => text.split(/[,，、\s]+/).map((x) => x.trim()).filter(Boolean);

/** My side's finding for one subject. It always goes through the outbox: sent at once when
 *  there is a network, kept in the browser (photos too) until there is one. */
function FindingForm({ round, subject, current, onSaved }: { round: any; subject: string; current?: any; onSaved: () => void }) {
  const marker = round.basis.markers.find((m: any) => m.number === subject);
  const f = current?.finding ?? {};
  const [system, setSystem] = useState(f.position?.crs ?? 'EPSG:4490');
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const sides: { code: string; name: string }[] = round.basis.line.sides;
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const text = (k: string) => String(form.get(k) ?? '').trim();
    const num = (k: string) => (text(k) === '' ? undefined : Number(text(k)));
    const finding: Record<string, unknown> = { observed_on: text('observed_on') || undefined, notes: text('notes') || undefined };
    finding.present = Object.fromEntries(sides.map((s) => [s.code, names(text(`present-${s.code}`))]).filter(([, v]) => v.length));
    if (marker) {
      finding.condition = text('condition') || undefined;
      finding.inscription = text('inscription') || undefined;
      if (text('x') !== '' || text('y') !== '') finding.position = { crs: system, x: num('x'), y: num('y') };
      finding.references = marker.references.map((r: any, i: number) => ({
        name: r.name, found: form.get(`ref-found-${i}`) === 'on', bearing_deg: num(`ref-bearing-${i}`), distance_m: num(`ref-distance-${i}`),
      }));
    } else {
      finding.line_identifiable = form.get('line_identifiable') === 'on';
      if (text('change-description')) finding.changes = [{ kind: text('change-kind'), description: text('change-description') }];
    }
    const photos = (form.getAll('photo') as File[]).filter((p) => p && p.size > 0).map((p) => ({ blob: p as Blob, name: p.name }));
    setBusy(true);
    try {
      await enqueue({ inspection: round.id, subject, base_version: current?.version ?? 0, finding, photos });
      const left = navigator.onLine ? await flush() : -1;
      const still = (await waiting(round.id)).find((w) => w.subject === subject);
      if (left === -1 || (still && !still.problem)) setResult({ ok: true, text: t('ins.kept') });
      else if (still?.problem) setResult({ ok: false, text: still.problem.startsWith('conflict:') ? t('ins.outbox.conflict', { v: still.problem.slice(9) }) : still.problem });
      else { setResult({ ok: true, text: t('ins.recorded') }); onSaved(); }
    } catch (err) {
      setResult({ ok: false, text: err instanceof ApiError ? err.message : String(err) });
    } finally { setBusy(false); }
  };
  const today = new Date().toISOString().slice(0, 10);
  return (
    <form class="finding" onSubmit={submit} aria-labelledby="finding-title">
      <h2 id="finding-title">{t('ins.form', { s: subjectLabel(subject) })}{current ? ` (v${current.version})` : ''}</h2>
      {marker && <p class="mono">{t('ins.registered')}: {marker.lon.toFixed(7)}, {marker.lat.toFixed(7)} · {marker.material ?? ''} {marker.installed_on ?? ''}</p>}
      <label class="field">{t('ins.observed')}<input type="date" name="observed_on" value={f.observed_on ?? today} /></label>
      {marker ? <>
        <label class="field">{t('bd.condition')}<select name="condition" value={f.condition ?? ''} required>
          <option value="">—</option>{CONDITIONS.map((c) => <option value={c}>{t(`marker.condition.${c}` as any)}</option>)}</select></label>
        <label class="field">{t('ins.inscription')}<select name="inscription" value={f.inscription ?? ''}>
          <option value="">—</option><option value="legible">{t('ins.legible')}</option><option value="faded">{t('ins.faded')}</option></select></label>
        <fieldset><legend>{t('ins.measured')}</legend>
          <label class="field">{t('map.crs')}<select value={system} onChange={(e) => setSystem((e.target as HTMLSelectElement).value)}>{SYSTEMS.map((s) => <option value={s.code}>{s.label}</option>)}</select></label>
          <label class="field">{system === 'EPSG:4490' ? t('ins.lon') : 'X (m)'}<input name="x" inputMode="decimal" value={f.position && f.position.crs === system ? f.position.x : ''} /></label>
          <label class="field">{system === 'EPSG:4490' ? t('ins.lat') : 'Y (m)'}<input name="y" inputMode="decimal" value={f.position && f.position.crs === system ? f.position.y : ''} /></label>
          {f.position && <p>{t('ins.offset', { m: f.position.offset_m })}{f.position.exceeds_tolerance ? ` ⚠ ${t('ins.beyond')}` : ''}</p>}
        </fieldset>
        {marker.references.length > 0 && <fieldset><legend>{t('bd.references')}</legend>
          {marker.references.map((r: any, i: number) => {
            const seen = f.references?.find((x: any) => x.name === r.name);
            return (
              <div class="ref">
                <label><input type="checkbox" name={`ref-found-${i}`} checked={seen ? seen.found : true} /> {t('ins.reffound', { name: r.name, b: r.bearing_deg, d: r.distance_m })}</label>
                <label class="field">{t('ins.bearing')}<input name={`ref-bearing-${i}`} inputMode="decimal" value={seen?.bearing_deg ?? ''} /></label>
                <label class="field">{t('ins.distance')}<input name={`ref-distance-${i}`} inputMode="decimal" value={seen?.distance_m ?? ''} /></label>
              </div>
            );
          })}
        </fieldset>}
      </> : <>
        <label><input type="checkbox" name="line_identifiable" checked={f.line_identifiable ?? true} /> {t('ins.identifiable')}</label>
        <fieldset><legend>{t('ins.change')}</legend>
          <label class="field">{t('ins.change.kind')}<select name="change-kind" value={f.changes?.[0]?.kind ?? 'construction'}>{CHANGE_KINDS.map((k) => <option value={k}>{t(`ins.change.${k}` as any)}</option>)}</select></label>
          <label class="field">{t('ins.change.description')}<input name="change-description" value={f.changes?.[0]?.description ?? ''} /></label>
        </fieldset>
      </>}
      <fieldset><legend>{t('ins.present')}</legend>
        {sides.map((s) => <label class="field">{s.name}<input name={`present-${s.code}`} value={(f.present?.[s.code] ?? []).join('，')} /></label>)}
      </fieldset>
      <label class="field">{t('ins.notes')}<textarea name="notes" rows={2}>{f.notes ?? ''}</textarea></label>
      <label class="field">{t('ins.photo')}<input type="file" name="photo" accept="image/jpeg,image/png" capture="environment" multiple /></label>
      <button type="submit" disabled={busy}>{t('ins.save')}</button>
      {result && <p class={result.ok ? 'saved' : 'error'} role={result.ok ? 'status' : 'alert'}>{result.text}</p>}
    </form>
  );
}

function Reconcile({ id, round, mySide, sideName }: { id: number; round: any; mySide: string | null; sideName: (c: string) => string }) {
  const [data, setData] = useState<any>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => { get(`inspections/${id}/reconciliation`).then(setData).catch((e) => setError(e.message)); }, [id, tick]);
  if (error) return <p class="error" role="alert">{error}</p>;
  if (!data) return <p>{t('app.loading')}</p>;
  return (
    <div>
      <p>{Object.entries(data.counts).map(([k, n]) => `${t(`ins.verdict.${k}` as any)} ${n}`).join(' · ')}</p>
      <table class="list">
        <thead><tr><th scope="col">{t('ins.subject')}</th><th scope="col">{t('ins.verdict')}</th><th scope="col">{t('ins.differences')}</th></tr></thead>
        <tbody>{data.items.map((i: any) => (
          <tr class={`verdict-${i.verdict}`}>
            <td>{i.verdict === 'agreed' ? subjectLabel(i.subject) : <button type="button" class="link" onClick={() => setOpen(i.subject)}>{subjectLabel(i.subject)}</button>}</td>
            <td>{t(`ins.verdict.${i.verdict}` as any)}</td>
            <td>{i.differences.map((d: any) => `${fieldName(d.field)}: ${d.detail}`).join('；')}</td>
          </tr>
        ))}</tbody>
      </table>
      {open && <Thread key={open} id={id} subject={open} mySide={mySide} sideName={sideName} locked={round.state === 'signed'} onChange={() => setTick((n) => n + 1)} />}
    </div>
  );
}

function Thread({ id, subject, mySide, sideName, locked, onChange }: { id: number; subject: string; mySide: string | null; sideName: (c: string) => string; locked: boolean; onChange: () => void }) {
  const [thread, setThread] = useState<any>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const path = `inspections/${id}/threads/${encodeURIComponent(subject)}`;
  useEffect(() => { get(path).then(setThread).catch((e) => setError(e.message)); }, [path, tick]);
  const refresh = () => { setTick((n) => n + 1); onChange(); };
  const comment = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const body = String(new FormData(form).get('body') ?? '').trim();
    try { await call(`${path}/comments`, { method: 'POST', body: { body } }); form.reset(); refresh(); } catch (err) { setError((err as Error).message); }
  };
  const accept = async (side: string, version: number) => {
    try { await call(`${path}/acceptance`, { method: 'POST', body: { side, version } }); refresh(); } catch (err) { setError((err as Error).message); }
  };
  if (!thread) return error ? <p class="error" role="alert">{error}</p> : <p>{t('app.loading')}</p>;
  return (
    <article class="thread" aria-labelledby="thread-title">
      <h2 id="thread-title">{t('ins.thread', { s: subjectLabel(subject) })}</h2>
      <div class="both">{thread.findings.map((f: any) => (
        <div class="side-finding">
          <h3>{sideName(f.side)} v{f.version}</h3>
          <p>{f.finding.condition ? t(`marker.condition.${f.finding.condition}` as any) : ''} {f.finding.inscription ? t(`ins.${f.finding.inscription}` as any) : ''}
            {f.finding.position ? ` · ${t('ins.offset', { m: f.finding.position.offset_m })}` : ''}</p>
          {f.finding.notes && <p><small>{f.finding.notes}</small></p>}
          {mySide && !locked && <button type="button" onClick={() => accept(f.side, f.version)}>{t('ins.accept', { side: sideName(f.side), v: f.version })}</button>}
        </div>
      ))}</div>
      {thread.acceptances.length > 0 && <p>{thread.acceptances.map((a: any) => t('ins.accepted', { by: sideName(a.side), side: sideName(a.accepted_side), v: a.accepted_version })).join('；')}</p>}
      <ol class="comments">{thread.comments.map((c: any) => <li><strong>{sideName(c.side)}</strong> {c.author} <small>{new Date(c.at).toLocaleString()}</small><br />{c.body}</li>)}</ol>
      {error && <p class="error" role="alert">{error}</p>}
      {!locked && <form onSubmit={comment}>
        <label class="field">{t('ins.comment')}<textarea name="body" rows={2} required /></label>
        <button type="submit">{t('ins.send')}</button>
      </form>}
    </article>
  );
}

function Disputes({ id, disputes, subjects, mySide, sideName, onChange }: { id: number; disputes: any[]; subjects: string[]; mySide: string | null; sideName: (c: string) => string; onChange: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const status = async (d: any, e: Event) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const text = (k: string) => String(form.get(k) ?? '').trim() || undefined;
    try { await call(`inspections/${id}/disputes/${d.id}/status`, { method: 'POST', body: { to: text('to'), note: text('note'), document: text('document') } }); onChange(); }
    catch (err) { setError((err as Error).message); }
  };
  const open = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    try { await call(`inspections/${id}/disputes`, { method: 'POST', body: { subject: form.get('subject'), description: String(form.get('description') ?? '').trim() } }); onChange(); }
    catch (err) { setError((err as Error).message); }
  };
  return (
    <div>
      <p class="legend-claims"><span class="swatch" style={{ background: CLAIM_COLOURS.red }} aria-hidden="true" /> {t('ins.claim.red')} <span class="swatch" style={{ background: CLAIM_COLOURS.blue }} aria-hidden="true" /> {t('ins.claim.blue')}</p>
      {error && <p class="error" role="alert">{error}</p>}
      {disputes.length === 0 && <p>{t('ins.nodisputes')}</p>}
      {disputes.map((d) => (
        <article class="dispute">
          <h3>{subjectLabel(d.subject)} · {t(`ins.dstatus.${d.status}` as any)}</h3>
          <p>{d.description}</p>
          <ul>{d.claims.map((c: any) => <li>{sideName(c.side)}: {c.note ?? t('ins.claimed')} <small>{c.author}</small></li>)}</ul>
          <ol>{d.steps.map((s: any) => <li>{t(`ins.dstatus.${s.status}` as any)} {s.note ?? ''} {s.document ?? ''} <small>{s.author} {new Date(s.at).toLocaleDateString()}</small></li>)}</ol>
          {mySide && d.status !== 'resolved' && <form class="inline" onSubmit={(e) => status(d, e)}>
            <label class="field">{t('ins.dispute.to')}<select name="to">{['negotiated', 'escalated', 'resolved'].map((s) => <option value={s}>{t(`ins.dstatus.${s}` as any)}</option>)}</select></label>
            <label class="field">{t('ins.dispute.note')}<input name="note" /></label>
            <label class="field">{t('ins.dispute.document')}<input name="document" /></label>
            <button type="submit">{t('ins.dispute.move')}</button>
          </form>}
        </article>
      ))}
      {mySide && <form onSubmit={open}>
        <h3>{t('ins.dispute.new')}</h3>
        <label class="field">{t('ins.subject')}<select name="subject">{subjects.map((s) => <option value={s}>{subjectLabel(s)}</option>)}</select></label>
        <label class="field">{t('ins.dispute.description')}<input name="description" required /></label>
        <button type="submit">{t('ins.dispute.open')}</button>
      </form>}
    </div>
  );
}

function Tasks({ id, round, mySide, sideName }: { id: number; round: any; mySide: string | null; sideName: (c: string) => string }) {
  const [tasks, setTasks] = useState<any[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => { get(`inspections/${id}/tasks`).then((d) => setTasks(d.tasks)).catch((e) => setError(e.message)); }, [id, tick]);
  const create = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    try { await call(`inspections/${id}/tasks`, { method: 'POST', body: { marker_number: form.get('marker'), action: form.get('action'), reason: String(form.get('reason') ?? '').trim() || undefined } }); setTick((n) => n + 1); }
    catch (err) { setError((err as Error).message); }
  };
  const complete = async (task: any, e: Event) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const present = Object.fromEntries(round.basis.line.sides.map((s: any) => [s.code, names(String(form.get(`present-${s.code}`) ?? ''))]).filter(([, v]: any) => v.length));
    try { await call(`inspections/${id}/tasks/${task.id}/completion`, { method: 'POST', body: { completed_on: form.get('completed_on'), present } }); setTick((n) => n + 1); }
    catch (err) { setError((err as Error).message); }
  };
  if (!tasks) return error ? <p class="error" role="alert">{error}</p> : <p>{t('app.loading')}</p>;
  return (
    <div>
      {error && <p class="error" role="alert">{error}</p>}
      <table class="list">
        <thead><tr><th scope="col">{t('bd.number')}</th><th scope="col">{t('ins.task.action')}</th><th scope="col">{t('ins.task.side')}</th><th scope="col">{t('ins.task.status')}</th></tr></thead>
        <tbody>{tasks.map((task) => (
          <tr>
            <td class="mono">{task.marker_number}</td>
            <td>{t(`ins.task.${task.action}` as any)}{task.reason ? `：${task.reason}` : ''}</td>
            <td>{sideName(task.side)}</td>
            <td>{task.status === 'open' && task.side === mySide
              ? <form class="inline" onSubmit={(e) => complete(task, e)}>
                  <label class="field">{t('ins.task.on')}<input type="date" name="completed_on" required value={new Date().toISOString().slice(0, 10)} /></label>
                  {round.basis.line.sides.map((s: any) => <label class="field">{t('ins.task.present', { side: s.name })}<input name={`present-${s.code}`} /></label>)}
                  <button type="submit">{t('ins.task.complete')}</button>
                </form>
              : task.status === 'open' ? t('ins.task.open') : `${t('ins.task.done')} ${task.completed_on ?? ''}`}</td>
          </tr>
        ))}</tbody>
      </table>
      {mySide && <form onSubmit={create}>
        <h3>{t('ins.task.new')}</h3>
        <label class="field">{t('bd.number')}<select name="marker">{round.basis.markers.map((m: any) => <option value={m.number}>{m.number}</option>)}</select></label>
        <label class="field">{t('ins.task.action')}<select name="action">{TASK_ACTIONS.map((a) => <option value={a}>{t(`ins.task.${a}` as any)}</option>)}</select></label>
        <label class="field">{t('ins.task.reason')}<input name="reason" /></label>
        <button type="submit">{t('ins.task.create')}</button>
      </form>}
    </div>
  );
}

function SignOff({ id, round, sideName, onSigned }: { id: number; round: any; sideName: (c: string) => string; onSigned: () => void }) {
  const [report, setReport] = useState<any>(null);
  const [verify, setVerify] = useState<any>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => { get(`inspections/${id}/report`).then(setReport).catch((e) => setError(e.message)); }, [id, tick]);
  const signsFor: string[] = round.your_part?.signs_for ?? [];
  const sign = async (side: string) => {
    try { await call(`inspections/${id}/signatures`, { method: 'POST', body: { side, hash: report.hash } }); setTick((n) => n + 1); onSigned(); }
    catch (err) { setError((err as Error).message); }
  };
  const base = `/api/v1/inspections/${id}`;
  if (!report) return error ? <p class="error" role="alert">{error}</p> : <p>{t('app.loading')}</p>;
  const c = report.content.counts;
  return (
    <div>
      <h2>{report.content.title}</h2>
      <p>{t('ins.counts', { checked: c.markers_checked, intact: c.intact, damaged: c.damaged, missing: c.missing, moved: c.moved, repaired: c.repaired, disputes: c.open_disputes })}</p>
      <p>{t('ins.hash')}: <code class="mono hash" data-testid="report-hash">{report.hash}</code></p>
      <ul>{round.basis.line.sides.map((s: any) => {
        const signature = report.signatures.find((x: any) => x.side === s.code && !x.voided_at);
        const voided = report.signatures.filter((x: any) => x.side === s.code && x.voided_at).length;
        return <li>{s.name}: {signature ? t('ins.signedby', { who: signature.signer, at: new Date(signature.signed_at).toLocaleString() }) : t('ins.unsigned')}
          {voided > 0 && <small> {t('ins.voided', { n: voided })}</small>}
          {!signature && signsFor.includes(s.code) && round.state === 'signing' && <> <button type="button" onClick={() => sign(s.code)}>{t('ins.signas', { side: s.name })}</button></>}</li>;
      })}</ul>
      {signsFor.length > 0 && round.state !== 'signing' && round.state !== 'signed' && <p>{t('ins.notsigning')}</p>}
      {error && <p class="error" role="alert">{error}</p>}
      <p>
        <a href={`${base}/report.html`} target="_blank" rel="noopener">{t('ins.out.html')}</a> ·{' '}
        <a href={`${base}/report.pdf`} target="_blank" rel="noopener">{t('ins.out.pdf')}</a> ·{' '}
        <a href={`${base}/register.html`} target="_blank" rel="noopener">{t('ins.out.register')}</a> ·{' '}
        <a href={`${base}/findings.csv`}>{t('ins.out.csv')}</a> ·{' '}
        <a href={`${base}/map.svg`} target="_blank" rel="noopener">{t('ins.out.map')}</a>
      </p>
      <button type="button" onClick={() => get(`inspections/${id}/verify`).then(setVerify).catch((e) => setError(e.message))}>{t('ins.verify')}</button>
      {verify && <p role="status">{verify.signed ? (verify.matches ? t('ins.verify.ok') : t('ins.verify.bad')) : t('ins.verify.unsigned')} <code class="mono">{verify.recomputed_hash}</code></p>}
    </div>
  );
}

