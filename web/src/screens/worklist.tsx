// What waits for the signed-in user, with counts: events to review, open sign reports,
// maintenance overdue, joint inspection items (findings to record, items to answer, tasks,
// reports to sign); each count links to the screen where the work is done.
import { useEffect, useState } from 'preact/hooks';
import { get, type Actor } from '../api';
import { t } from '../i18n';

export function Worklist({ actor }: { actor: Actor }) {
  const [items, setItems] = useState<{ key: string; count: number; href: string }[] | null>(null);
  useEffect(() => {
    const count = (path: string, pick: (d: any) => number) => get(path).then(pick).catch(() => 0);
    Promise.all([
      count('division-events?status=pending', (d) => d.numberMatched ?? d.events.length),
      count('signs/reports?status=open', (d) => d.reports.length),
      count('signs?due_for_maintenance=true&limit=1', (d) => d.numberMatched),
      count('inspections/worklist', (d) => d.rounds.reduce((n: number, r: any) => n + r.findings_to_record.length + r.items_to_answer.length + r.tasks.length + (r.to_sign ? 1 : 0), 0)),
    ]).then(([reviews, tickets, overdue, inspection]) => setItems([
      { key: actor.role === 'reviewer' || actor.role === 'admin' ? 'work.reviews' : 'work.proposed', count: reviews, href: '#/divisions' },
      { key: 'work.tickets', count: tickets, href: '#/signs?tab=reports' },
      { key: 'work.overdue', count: overdue, href: '#/signs?due=1' },
      { key: 'work.inspection', count: inspection, href: '#/inspections' },
    ]));
  }, [actor.username]);
  return (
    <section class="worklist" aria-labelledby="work-title">
      <h2 id="work-title">{t('work.title')}</h2>
      {items === null ? <p>{t('app.loading')}</p> : (
        <ul>{items.map((i) => <li><a href={i.href}><span class="count" data-key={i.key}>{i.count}</span> {t(i.key as any)}</a></li>)}</ul>
      )}
    </section>
  );
}
