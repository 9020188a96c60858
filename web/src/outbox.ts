// Field work without a network: a finding captured on a phone waits here, in the browser's
// IndexedDB (with its photos as blobs), until the network returns; then each round's waiting
// findings go as one batch, which the service takes idempotently (the same batch twice changes
// nothing). The last copy of a round seen online is kept too, so the form opens in the field.
import { openDB, type IDBPDatabase } from 'idb';
import { call, ApiError } from './api';

/** A finding waiting to be sent: one per round and subject (a later capture replaces it). */
export interface Waiting {
  key: string;
  /** Who captured it: only their session sends it (a shared device may change hands). */
  owner: string;
  client_id: string;
  inspection: number;
  subject: string;
  captured_at: string;
  base_version: number | null;
  finding: Record<string, unknown>;
  /** Photos taken with it; `id` is set once uploaded, so a retry does not upload twice. */
  photos: { blob: Blob; name: string; id?: number }[];
  /** Why the service did not take it last time (a conflict or a refused field), if it did not. */
  problem?: string;
}

let opened: Promise<IDBPDatabase> | null = null;
function db() {
  opened ??= openDB('diming-field', 1, {
    upgrade(d) {
      d.createObjectStore('outbox', { keyPath: 'key' });
      d.createObjectStore('rounds');
    },
  });
  return opened;
}

let owner: string | null = null;
/** The signed-in user, whose captures this browser sends (none while signed out). */
export function setOwner(username: string | null) { owner = username; if (username) flush().catch(() => {}); }

const listeners = new Set<() => void>();
/** Called whenever what waits changes (to show the count). */
export function onOutbox(listener: () => void) { listeners.add(listener); return () => { listeners.delete(listener); }; }
const changed = () => listeners.forEach((l) => l());

/** Keeps a capture until it is sent; a new capture of the same subject replaces the waiting one. */
export async function enqueue(item: Omit<Waiting, 'key' | 'client_id' | 'captured_at' | 'owner'>): Promise<Waiting> {
  if (!owner) throw new Error('not signed in');
  const waiting: Waiting = {
    ...item,
    owner,
    key: `${owner}|${item.inspection}|${item.subject}`,
    client_id: `web:${crypto.randomUUID()}`,
    captured_at: new Date().toISOString(),
  };
  await (await db()).put('outbox', waiting);
  changed();
  return waiting;
}

export async function waiting(inspection?: number): Promise<Waiting[]> {
  const all = (await (await db()).getAll('outbox')) as Waiting[];
  return all.filter((w) => inspection === undefined || w.inspection === inspection).sort((a, b) => a.captured_at.localeCompare(b.captured_at));
}

export async function discard(key: string) { await (await db()).delete('outbox', key); changed(); }

/** The last copy of a round's part (`round`, `findings`, `disputes`) seen online, for opening
 *  it without a network. */
export async function remember(id: number, part: string, data: unknown) { await (await db()).put('rounds', data, `${part}:${id}`); }
export async function remembered(id: number, part: string): Promise<any> { return (await db()).get('rounds', `${part}:${id}`); }
/** Signing out forgets the copies of rounds (they are confidential to the two sides); what
 *  waits to be sent stays, for its owner's next session. */
export async function forgetRounds() { await (await db()).clear('rounds'); }

/** Whether a failure means "no network" (keep waiting) rather than an answer of the service. */
export const offline = (e: unknown) => !(e instanceof ApiError);

let flushing: Promise<number> | null = null;
/** Sends what waits, one batch per round; answers how many are still waiting. Never runs twice at once. */
export function flush(): Promise<number> {
  flushing ??= send().finally(() => { flushing = null; });
  return flushing;
}

async function send(): Promise<number> {
  if (!owner) return (await waiting()).length;
  const all = (await waiting()).filter((w) => w.owner === owner);
  const rounds = [...new Set(all.map((w) => w.inspection))];
  for (const round of rounds) {
    const items = all.filter((w) => w.inspection === round);
    try {
      await uploadPhotos(round, items);
      const { data } = await call(`inspections/${round}/findings/batch`, {
        method: 'POST',
        body: {
          items: items.map((w) => ({
            client_id: w.client_id, captured_at: w.captured_at, subject: w.subject,
            base_version: w.base_version ?? undefined,
            finding: { ...w.finding, photo_ids: [...((w.finding.photo_ids as number[]) ?? []), ...w.photos.map((p) => p.id!)] },
          })),
        },
      });
      const store = await db();
      for (const result of data.items as { client_id: string; status: string; current_version?: number }[]) {
        const item = items.find((w) => w.client_id === result.client_id);
        if (!item) continue;
        if (result.status === 'recorded' || result.status === 'unchanged') await store.delete('outbox', item.key);
        else await store.put('outbox', { ...item, problem: result.status === 'conflict' ? `conflict:${result.current_version}` : result.status });
      }
    } catch (e) {
      // No network, or no session yet (signing in again sends it): keep everything waiting.
      if (offline(e) || (e as ApiError).status === 401) break;
      // The service refused the batch (nothing of it was stored): say why beside each item.
      const store = await db();
      const problem = e as ApiError;
      for (const [i, item] of items.entries()) {
        const own = problem.problem.errors?.filter((f) => f.field.startsWith(`items[${i}]`)).map((f) => `${f.field.replace(/^items\[\d+\]\./, '')}: ${f.message}`);
        await store.put('outbox', { ...item, problem: own?.length ? own.join('; ') : problem.message });
      }
    }
  }
  changed();
  return (await waiting()).length;
}

async function uploadPhotos(round: number, items: Waiting[]) {
  const store = await db();
  for (const item of items) {
    let uploaded = false;
    for (const photo of item.photos) {
      if (photo.id !== undefined) continue;
      const form = new FormData();
      form.append('photo', photo.blob, photo.name);
      const { data } = await call(`inspections/${round}/photos`, { method: 'POST', form });
      photo.id = data.photo_id;
      uploaded = true;
    }
    if (uploaded) await store.put('outbox', item);
  }
}

/** Sends whenever the network comes back, and now if anything waits. */
export function startSending() {
  addEventListener('online', () => { flush().catch(() => {}); });
  setInterval(() => { if (navigator.onLine) waiting().then((w) => { if (w.some((x) => !x.problem)) flush().catch(() => {}); }); }, 30_000);
  if (navigator.onLine) flush().catch(() => {});
}
