// User-facing text, Chinese first, English switchable; the choice is kept in localStorage.
import { zh, en } from './strings';

export type Lang = 'zh' | 'en';
let lang: Lang = (localStorage.getItem('diming.lang') as Lang) || 'zh';
const listeners = new Set<() => void>();

export function language(): Lang { return lang; }
export function setLanguage(next: Lang) {
  lang = next;
  localStorage.setItem('diming.lang', next);
  document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
  listeners.forEach((l) => l());
}
export function onLanguage(listener: () => void) { listeners.add(listener); return () => listeners.delete(listener); }
document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';

/** The text for `key` in the current language, `{name}` placeholders filled from `vars`. */
export function t(key: keyof typeof zh, vars: Record<string, string | number> = {}): string {
  const table: Record<string, string> = lang === 'zh' ? zh : en;
  let text = table[key] ?? zh[key] ?? key;
  for (const [k, v] of Object.entries(vars)) text = text.replace(`{${k}}`, String(v));
  return text;
}
