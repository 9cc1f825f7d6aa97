/**
 * Is anything stuck, and is anyone working? Three signs of an item that stopped
 * without saying so, gathered for GET /ops/stuck:
 * - its save keeps failing (the save activity records itself from its 3rd attempt);
 * - its workflow task keeps failing (Temporal marks it: TemporalReportedProblems);
 * - the read side says active while its workflow is not running (it was
 *   terminated, or failed, outside the item's own rules).
 * And for /readyz: whether a worker polls the task queue at all.
 */
import { temporal as proto } from '@temporalio/proto';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { listSaveFailures, type SaveFailure } from '../db/repositories/save-failures';
import { WORKFLOW_TYPE } from '../workflows/messages';

/** A worker long-polls for up to a minute: one not seen for twice that is gone. */
const POLLER_FRESH_MS = 120_000;
const SCAN_LIMIT = 10_000;

export interface StuckReport {
  saveFailures: SaveFailure[];
  failingWorkflowTasks: Array<{ itemId: string; problems: string[] }>;
  notRunning: Array<{ itemId: string; workflowStatus: string }>;
  /** true when more running workflows exist than one scan reads */
  truncated: boolean;
}

function itemIdOf(workflowId: string): string {
  return workflowId.replace(/^rectification-item:/, '');
}

export async function workerPolling(temporal: Client, namespace: string, taskQueue: string, nowMs = Date.now()): Promise<boolean> {
  const response = await temporal.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue, kind: proto.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: proto.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  return (response.pollers ?? []).some((p) => {
    const seconds = Number(p.lastAccessTime?.seconds ?? 0);
    return nowMs - seconds * 1000 < POLLER_FRESH_MS;
  });
}

export async function stuckItems(deps: { temporal: Client; pool: Pool }): Promise<StuckReport> {
  const saveFailures = await listSaveFailures(deps.pool);

  const failingWorkflowTasks: StuckReport['failingWorkflowTasks'] = [];
  for await (const wf of deps.temporal.workflow.list({
    query: `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND TemporalReportedProblems IS NOT NULL`,
  })) {
    const problems = wf.searchAttributes?.TemporalReportedProblems;
    failingWorkflowTasks.push({ itemId: itemIdOf(wf.workflowId), problems: Array.isArray(problems) ? problems.map(String) : [] });
    if (failingWorkflowTasks.length >= SCAN_LIMIT) break;
  }

  const running = new Set<string>();
  let truncated = false;
  for await (const wf of deps.temporal.workflow.list({ query: `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'` })) {
    running.add(itemIdOf(wf.workflowId));
    if (running.size >= SCAN_LIMIT) {
      truncated = true;
      break;
    }
  }
  const notRunning: StuckReport['notRunning'] = [];
  if (!truncated) {
    const { rows } = await deps.pool.query(`SELECT id FROM items WHERE status = 'active' ORDER BY id`);
    for (const { id } of rows as Array<{ id: string }>) {
      if (running.has(id)) continue;
      const status = await deps.temporal.workflow
        .getHandle(`rectification-item:${id}`)
        .describe()
        .then((d) => d.status.name as string)
        .catch(() => 'NOT_FOUND');
      // a run that continued as new a moment ago shows as running again on a second look
      if (status !== 'RUNNING') notRunning.push({ itemId: id, workflowStatus: status });
    }
  }
  return { saveFailures, failingWorkflowTasks, notRunning, truncated };
}
