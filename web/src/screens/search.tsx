// Search as you type over /api/v1/search (characters, pinyin, initials): waits while the
// Chinese IME is composing, keeps only the latest answer, and is driven by the arrow keys.
import { useRef, useState } from 'preact/hooks';
import { get, qs } from '../api';
import { t } from '../i18n';

export function SearchBox({ onPick }: { onPick: (hit: any) => void; asOf?: string }) {
  const [hits, setHits] = useState<any[]>([]);
  const [active, setActive] = useState(-1);
  const [query, setQuery] = useState('');
  const composing = useRef(false);
  const latest = useRef(0);
  const timer = useRef<number>();
  const run = (text: string) => {
    clearTimeout(timer.current);
    if (!text.trim()) { setHits([]); return; }
    timer.current = window.setTimeout(async () => {
      const ticket = ++latest.current;
      const answer = await get(`search${qs({ q: text.trim(), limit: 10 })}`).catch(() => ({ hits: [] }));
      if (ticket === latest.current) { setHits(answer.hits); setActive(answer.hits.length ? 0 : -1); }
    }, 120);
  };
  const pick = (hit: any) => { setHits([]); onPick(hit); };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); setActive((a) => Math.min(hits.length - 1, a + 1)); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); setActive((a) => Math.max(0, a - 1)); }
    else if (e.key === 'Enter' && !composing.current && hits[active]) { e.preventDefault(); pick(hits[active]); }
    else if (e.key === 'Escape') setHits([]);
  };
  return (
    <div class="search" role="search">
      <label for="search-input" class="field">{t('search.label')}</label>
      <input id="search-input" type="search" role="combobox" aria-expanded={hits.length > 0} aria-controls="search-results" aria-autocomplete="list"
        aria-activedescendant={active >= 0 && hits.length ? `hit-${active}` : undefined}
        placeholder={t('search.placeholder')} value={query} autocomplete="off"
        onCompositionStart={() => { composing.current = true; }}
        onCompositionEnd={(e) => { composing.current = false; run((e.target as HTMLInputElement).value); }}
        onInput={(e) => { const v = (e.target as HTMLInputElement).value; setQuery(v); if (!composing.current) run(v); }}
        onKeyDown={onKey} />
      {hits.length > 0 && (
        <ul id="search-results" role="listbox" aria-label={t('search.results')}>
          {hits.map((hit, i) => (
            <li id={`hit-${i}`} role="option" aria-selected={i === active} class={i === active ? 'active' : ''} onMouseDown={(e) => { e.preventDefault(); pick(hit); }}>
              <strong>{hit.name}</strong> <span class="py">{hit.romanization}</span>
              <small>{hit.divisions.slice(-2).map((d: any) => d.name).join(' ')}{hit.matched_name !== hit.name ? ` (${hit.matched_name})` : ''}</small>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
