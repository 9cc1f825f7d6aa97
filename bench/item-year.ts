/**
 * Benchmark: one simulated year of an item with 10 tasks on the time-skipping
 * server. Each month every open task reports progress; tasks are due one per
 * month from day 65 to day 335 (so warnings, deadlines and the whole ladder
 * fire), submitted a week after their deadline and accepted; the last ones at
 * day 360, which completes the item. Prints wall time and history length.
 *
 *   npm run bench:year   (also part of `npm run bench`)
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { clientConnectionOptions } from '../config/temporal-connection';
import type { ItemChanges } from '../domain/item-changes';
import type { Actor, ItemInput } from '../domain/types';
import { newItemArgs } from '../test/support/item-start';
import { createTimeSkippingEnv } from '../test/support/time-skipping';
import {
  acceptTaskUpdate,
  itemStateQuery,
  itemWorkflowId,
  reportProgressUpdate,
  submitTaskUpdate,
  WORKFLOW_TYPE,
} from '../workflows/messages';

const DAY = 86_400_000;
const TASKS = 10;
const leader: Actor = { id: 'leader', name: 'Leader', role: 'leader' };
const owner: Actor = { id: 'owner', name: 'Owner', role: 'owner', unit: 'Unit A' };
const env$ = (actor: Actor, command: never) => ({ requestId: randomUUID(), actor, command });

export interface YearResult {
  benchmark: string;
  wallSeconds: number;
  simulatedDays: number;
  historyEventsLastRun: number;
  historyMiB: number;
  saveActivities: number;
  status: string;
  dispatches: number;
  reviews: number;
  escalations: number;
  auditEvents: number;
}

export async function runYear(): Promise<YearResult> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const env = await createTimeSkippingEnv();
  // the history is read over a connection that accepts messages past grpc-js' 4 MiB default
  const reader = await Connection.connect(clientConnectionOptions({ TEMPORAL_ADDRESS: env.address, TEMPORAL_TLS: false }));
  try {
    return await year(env, new Client({ connection: reader, namespace: env.namespace ?? 'default' }));
  } finally {
    await reader.close();
    await env.teardown();
  }
}

async function year(env: Awaited<ReturnType<typeof createTimeSkippingEnv>>, reader: Client): Promise<YearResult> {
  let persisted = 0;
  const taskQueue = `bench-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('../workflows'),
    activities: { saveItemChanges: async (_: ItemChanges) => void (persisted += 1) },
  });

  const t0 = await env.currentTimeMs();
  const item: ItemInput = {
    id: `bench-${randomUUID()}`,
    title: 'Benchmark item',
    supervisionLevel: 'province',
    leader: { id: leader.id, name: leader.name },
    problems: [{ id: 'P1', description: 'Benchmark problem', severity: 'medium' }],
    tasks: Array.from({ length: TASKS }, (_, i) => ({
      id: `T${i + 1}`,
      problemIds: ['P1'],
      description: `Task ${i + 1}`,
      ownerUnit: 'Unit A',
      ownerPerson: 'Owner',
      deadline: { kind: 'instant' as const, at: new Date(t0 + ((i + 1) * 30 + 35) * DAY).toISOString() },
    })),
  };

  const started = Date.now();
  const summary = await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue,
      workflowId: itemWorkflowId(item.id),
      args: newItemArgs(item, leader, t0),
    });
    for (let month = 1; month <= 12; month++) {
      const state = await handle.query(itemStateQuery);
      for (const task of state.tasks.filter((t) => t.status === 'assigned' || t.status === 'inProgress')) {
        const overdueByAWeek = Date.parse(task.deadline.dueAt) + 7 * DAY <= (await env.currentTimeMs());
        if (overdueByAWeek) {
          await handle.executeUpdate(submitTaskUpdate, { args: [env$(owner, { type: 'submitTask', taskId: task.id, evidence: ['report.pdf'] } as never)] });
          await handle.executeUpdate(acceptTaskUpdate, { args: [env$(leader, { type: 'acceptTask', taskId: task.id } as never)] });
        } else {
          await handle.executeUpdate(reportProgressUpdate, {
            args: [env$(owner, { type: 'reportProgress', taskId: task.id, text: `month ${month}`, percent: Math.min(90, month * 8) } as never)],
          });
        }
      }
      await env.sleep(30 * DAY);
    }
    // Day 360: whatever is still open is submitted and accepted, which completes the item.
    for (const task of (await handle.query(itemStateQuery)).tasks.filter((t) => t.status !== 'accepted')) {
      await handle.executeUpdate(submitTaskUpdate, { args: [env$(owner, { type: 'submitTask', taskId: task.id, evidence: ['report.pdf'] } as never)] });
      await handle.executeUpdate(acceptTaskUpdate, { args: [env$(leader, { type: 'acceptTask', taskId: task.id } as never)] });
    }
    const ended = await env.currentTimeMs();
    await handle.result();
    const history = await reader.workflow.getHandle(handle.workflowId).fetchHistory();
    const state = await handle.query(itemStateQuery);
    const historyBytes = temporal.api.history.v1.History.encode(history).finish().length;
    return { simulatedDays: Math.round((ended - t0) / DAY), historyEvents: history.events?.length ?? 0, historyBytes, state };
  });
  const wallMs = Date.now() - started;
  const s = summary.state;
  return {
    benchmark: 'one simulated year, 10 tasks, time-skipping server',
    wallSeconds: +(wallMs / 1000).toFixed(2),
    simulatedDays: summary.simulatedDays,
    historyEventsLastRun: summary.historyEvents,
    historyMiB: +(summary.historyBytes / 1048576).toFixed(2),
    saveActivities: persisted,
    status: s.status,
    dispatches: s.schedule.dispatchCount,
    reviews: s.schedule.reviewCount,
    escalations: s.counters.escalations,
    auditEvents: s.counters.auditSeq,
  };
}

if (require.main === module) {
  runYear()
    .then((r) => console.log(JSON.stringify(r, null, 2)))
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
