/**
 * Where a deadline wave's lateness comes from, read from the items' own
 * histories: how late each item's timer was set to fire (the workflow times it
 * from a clock that may lag the moment the server starts it), how late the
 * server fired it, how long until a worker took the wake, and how long the wake
 * (with its save) took; beside the escalations' lateness on the read side.
 *
 *   npx tsx bench/wake-lateness.ts            # 200 items of 10 tasks due within 10 s
 *   N=1000 T=1 npx tsx bench/wake-lateness.ts # 1,000 one-task items
 */
import { temporal } from '@temporalio/proto';
import { UNIT_A, UNIT_B } from '../test/integration/api-support';
import { newItemArgs } from '../test/support/item-start';
import { itemWorkflowId, WORKFLOW_TYPE } from '../workflows/messages';
import { runConcurrent, summarize } from './percentiles';
import { BENCH_LEADER, waveItem } from './speed/bodies';
import { ITEM_QUEUE, startSpeedSystem } from './speed-system';

type Event = temporal.api.history.v1.IHistoryEvent;
const ET = temporal.api.enums.v1.EventType;
const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);
const sleep = (n: number) => new Promise((r) => setTimeout(r, n));

function firstIndex(events: Event[], type: temporal.api.enums.v1.EventType, after = -1): number {
  return events.findIndex((e, i) => i > after && e.eventType === type);
}

async function main(): Promise<void> {
  const items = Number(process.env.N ?? 200);
  const tasks = Number(process.env.T ?? 10);
  const sys = await startSpeedSystem();
  try {
    for (const [code, name] of [[UNIT_A, '甲单位'], [UNIT_B, '乙单位']]) {
      await sys.call('POST', '/units', sys.tokens.admin, { code, name, kind: 'countyDepartment' });
    }
    const opens = Date.now() + 15_000 + items * 50;
    const due: number[] = [];
    await runConcurrent(items, 16, async (i) => {
      due[i] = opens + Math.floor((i * 10_000) / items);
      const item = waveItem(`late-${i}`, Array.from({ length: tasks }, () => due[i]!));
      await sys.client.workflow.start(WORKFLOW_TYPE, {
        taskQueue: ITEM_QUEUE, workflowId: itemWorkflowId(item.id), args: newItemArgs(item, BENCH_LEADER, Date.now()),
      });
    });
    // every item started and its first task done (its first save landed) before the window opens
    while (Number((await sys.pool.query(`SELECT count(*) AS n FROM items WHERE id LIKE 'late-%'`)).rows[0].n) < items) await sleep(250);
    if (Date.now() > opens) throw new Error('setup overran the window: raise the lead');
    const landed = async () => (await sys.pool.query(
      `SELECT due_at, landed_at FROM escalations WHERE item_id LIKE 'late-%' AND rung = 1`)).rows;
    while ((await landed()).length < items * tasks) await sleep(500);
    await sleep(1_000); // the wakes' workflow tasks complete just after their saves

    const setLate: number[] = []; const serverLate: number[] = []; const toWorker: number[] = []; const wake: number[] = [];
    let timedOut = 0;
    for (let i = 0; i < items; i++) {
      const events = (await sys.client.workflow.getHandle(itemWorkflowId(`late-${i}`)).fetchHistory()).events ?? [];
      const fired = firstIndex(events, ET.EVENT_TYPE_TIMER_FIRED);
      let started = fired;
      while (started >= 0 && events[started]!.eventType !== ET.EVENT_TYPE_TIMER_STARTED) started--;
      const timer = events[started]!;
      const setToFire = ms(timer.eventTime) + ms(timer.timerStartedEventAttributes!.startToFireTimeout);
      const taken = firstIndex(events, ET.EVENT_TYPE_WORKFLOW_TASK_STARTED, fired);
      const done = firstIndex(events, ET.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, taken);
      setLate.push(setToFire - due[i]!);
      serverLate.push(ms(events[fired]!.eventTime) - setToFire);
      toWorker.push(ms(events[taken]!.eventTime) - ms(events[fired]!.eventTime));
      wake.push(ms(events[done]!.eventTime) - ms(events[taken]!.eventTime));
      // a wake left on the worker's sticky queue past its schedule-to-start timeout goes back to the shared
      // queue, and is then taken with the whole history replayed
      if (firstIndex(events, ET.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT, fired) > 0) timedOut++;
    }
    const rows: Array<[string, number[]]> = [
      ['timer set to fire after the due instant', setLate],
      ['server fired it after that', serverLate],
      ['fired → a worker took the wake', toWorker],
      ['the wake (its workflow task, the save in it)', wake],
      ['escalation landed on the read side after due', (await landed()).map((r) => Date.parse(r.landed_at) - Date.parse(r.due_at))],
    ];
    console.log(`${items} items of ${tasks} tasks due within 10 s; wakes timed out on the sticky queue: ${timedOut}\n\n| part | p50 ms | p95 ms | p99 ms | max ms |\n|---|---|---|---|---|`);
    for (const [name, values] of rows) {
      const s = summarize(values);
      console.log(`| ${name} | ${s.p50Ms} | ${s.p95Ms} | ${s.p99Ms} | ${s.maxMs} |`);
    }
  } finally {
    await sys.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
