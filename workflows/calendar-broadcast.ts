/**
 * One run per calendar publication: carries the calendar to every running item,
 * page by page, then once more a minute later for items created meanwhile from
 * an API instance's cached calendar (an item ignores a version it holds).
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { ItemActivities } from '../activities';
import type { CalendarBroadcastInput } from './messages';

const { broadcastCalendarPage } = proxyActivities<ItemActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** How long an API instance may still start items with the calendar it read before the publication. */
const CACHE_WINDOW = '70 seconds';

export async function calendarBroadcastWorkflow(input: CalendarBroadcastInput): Promise<{ signalled: number; version: number }> {
  let signalled = 0;
  let version = input.version;
  for (const pass of [1, 2]) {
    if (pass === 2) await sleep(CACHE_WINDOW);
    let after: string | undefined;
    do {
      const page = await broadcastCalendarPage({ ...(after !== undefined ? { after } : {}) });
      signalled += page.signalled;
      version = Math.max(version, page.version);
      after = page.next;
    } while (after !== undefined);
  }
  return { signalled, version };
}
