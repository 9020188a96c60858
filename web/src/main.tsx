// The staff application's shell: who is signed in, the navigation, the hash routes, the
// language switch, and signing in again when a session ends under an open form.
import './style.css';
import 'ol/ol.css';
import { render } from 'preact';
import { useEffect, useState, useRef } from 'preact/hooks';
import { call, onSessionExpired, ApiError, type Actor } from './api';
import { t, language, setLanguage, onLanguage } from './i18n';
import { MapScreen, prefetchFirstScreen } from './screens/map';
import { PlaceScreen } from './screens/place';
import { HistoryScreen } from './screens/history';
import { AdminScreen } from './screens/admin';
import { SignsScreen, SignScreen } from './screens/signs';
import { DivisionsScreen } from './screens/divisions';
import { BoundariesScreen } from './screens/boundaries';
import { InspectionsScreen } from './screens/inspections';
import { PlatesScreen } from './screens/plates';
import { startSending, setOwner, forgetRounds } from './outbox';

function useRoute(): string[] {
  const read = () => (location.hash.replace(/^#\/?/, '').split('?')[0] || 'map').split('/').map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => { const on = () => setRoute(read()); addEventListener('hashchange', on); return () => removeEventListener('hashchange', on); }, []);
  return route;
}

export function SignInForm({ onSignedIn, again }: { onSignedIn: (a: Actor) => void; again?: boolean }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    setBusy(true); setError(null);
    try {
      const { data } = await call('auth/login', { method: 'POST', body: { username: form.get('username'), password: form.get('password') } });
      onSignedIn(data.user);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally { setBusy(false); }
  };
  return (
    <form class="signin" onSubmit={submit} aria-labelledby="signin-title">
      <h1 id="signin-title">{again ? t('signin.again') : t('app.title')}</h1>
      {again && <p>{t('signin.expired')}</p>}
      <label>{t('signin.username')}<input name="username" autocomplete="username" required autoFocus /></label>
      <label>{t('signin.password')}<input name="password" type="password" autocomplete="current-password" required /></label>
      {error && <p class="error" role="alert">{error}</p>}
      <button type="submit" disabled={busy}>{t('signin.submit')}</button>
    </form>
  );
}

function App() {
  const [actor, setActor] = useState<Actor | null | undefined>(undefined);
  const [, setLang] = useState(language());
  const [reauth, setReauth] = useState<null | (() => void)>(null);
  const route = useRoute();
  const pending = useRef<Promise<void> | null>(null);
  useEffect(() => onLanguage(() => setLang(language())), []);
  useEffect(() => {
    // Without a network (a phone in the field) the last signed-in user is kept, so the field
    // form and what waits in it open; the service checks the session again when it is reached.
    call('auth/me').then(({ data }) => setActor(data.user)).catch((e) => setActor(e instanceof ApiError ? null : rememberedActor()));
  }, []);
  useEffect(() => { if (actor) localStorage.setItem('diming.actor', JSON.stringify(actor)); setOwner(actor?.username ?? null); }, [actor]);
  useEffect(() => {
    // A call answered 401 while signed in: keep the screen (and what is typed in it) and ask
    // for the password over it; the call is repeated once signed in again.
    onSessionExpired(actor ? () => {
      if (!pending.current) pending.current = new Promise<void>((resolve) => setReauth(() => () => { setReauth(null); pending.current = null; resolve(); }));
      return pending.current;
    } : null);
  }, [actor]);

  if (actor === undefined) return <main class="loading" aria-busy="true">{t('app.loading')}</main>;
  if (actor === null) return <main class="signin-page"><LanguageSwitch /><SignInForm onSignedIn={setActor} /></main>;

  const signOut = async () => { try { await call('auth/logout', { method: 'POST', raw: true }); } finally { localStorage.removeItem('diming.actor'); await forgetRounds().catch(() => {}); setActor(null); location.hash = ''; } };
  const [screen, ...rest] = route;
  const nav: [string, string][] = [['map', t('nav.map')], ['signs', t('nav.signs')], ['divisions', t('nav.divisions')], ['boundaries', t('nav.boundaries')], ['inspections', t('nav.inspections')], ['plates', t('nav.plates')]];
  if (actor.role === 'admin') nav.push(['admin', t('nav.admin')]);
  let body;
  switch (screen) {
    case 'places': body = rest[1] === 'history' ? <HistoryScreen id={rest[0]} actor={actor} /> : <PlaceScreen id={rest[0]} actor={actor} />; break;
    case 'signs': body = rest[0] ? <SignScreen id={rest[0]} actor={actor} /> : <SignsScreen actor={actor} />; break;
    case 'divisions': body = <DivisionsScreen code={rest[0]} actor={actor} />; break;
    case 'boundaries': body = <BoundariesScreen actor={actor} />; break;
    case 'inspections': body = <InspectionsScreen actor={actor} id={rest[0]} tab={rest[1]} />; break;
    case 'plates': body = <PlatesScreen actor={actor} order={rest[0]} />; break;
    case 'admin': body = <AdminScreen actor={actor} tab={rest[0]} />; break;
    default: body = <MapScreen actor={actor} />;
  }
  return (
    <div class="shell">
      <header class="top">
        <a class="brand" href="#/map">{t('app.title')}</a>
        <nav aria-label={t('nav.label')}>
          {nav.map(([key, label]) => <a href={`#/${key}`} aria-current={screen === key || (key === 'map' && !nav.some(([k]) => k === screen) && screen !== 'places') ? 'page' : undefined}>{label}</a>)}
        </nav>
        <div class="me" aria-label={t('me.label')}>
          <span class="who">{actor.username}</span>
          <span class="role">{t(`role.${actor.role}` as any)}</span>
          <span class="jur" title={t('me.jurisdictions')}>{actor.jurisdictions.length ? actor.jurisdictions.join(', ') : t('me.everywhere')}</span>
          <LanguageSwitch />
          <button type="button" onClick={signOut}>{t('signout')}</button>
        </div>
      </header>
      <main id="content">{body}</main>
      {reauth && (
        <div class="modal" role="dialog" aria-modal="true" aria-label={t('signin.again')}>
          <SignInForm again onSignedIn={(a) => { setActor(a); reauth(); }} />
        </div>
      )}
    </div>
  );
}

function LanguageSwitch() {
  const next = language() === 'zh' ? 'en' : 'zh';
  return <button type="button" class="lang" onClick={() => setLanguage(next)} lang={next === 'zh' ? 'zh-CN' : 'en'}>{next === 'zh' ? '中文' : 'English'}</button>;
}

function rememberedActor(): Actor | null {
  try { return JSON.parse(localStorage.getItem('diming.actor') ?? 'null'); } catch { return null; }
}

if (/^(#\/?(map)?)?$/.test(location.hash)) prefetchFirstScreen();
render(<App />, document.getElementById('app')!);
// The application's files are kept for opening the field form offline (sw.ts); findings that
// wait in the browser are sent whenever the network is there.
if ('serviceWorker' in navigator) navigator.serviceWorker.register('/app/sw.js', { scope: '/' }).catch(() => {});
startSending();
