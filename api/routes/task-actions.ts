/** One route per task command. Each is a Temporal update carrying the Idempotency-Key as its request id. */
import type { z } from 'zod';
import type { Command } from '../../domain/commands';
import { assertCitesOwnFiles } from '../evidence/citations';
import { defineRoute, type RouteSpec } from '../http/route';
import {
  AcceptTaskBodySchema,
  DecideExtensionBodySchema,
  ReassignTaskBodySchema,
  NoteBodySchema,
  ReasonBodySchema,
  ReportProgressBodySchema,
  RequestExtensionBodySchema,
  SendBackTaskBodySchema,
  SubmitTaskBodySchema,
} from '../schemas/commands';
import { CommandResultSchema } from '../schemas/item-state';
import { TaskParamsSchema } from '../schemas/params';
import { assertKnownUnits, unitsOfTask } from '../unit-check';
import { commandRoles, runCommand } from './run-command';

type TaskCommand = Extract<Command, { taskId: string }>;

interface TaskAction<B extends z.ZodType> {
  segment: string;
  type: TaskCommand['type'];
  summary: string;
  body: B;
  toCommand: (taskId: string, body: z.output<B>) => TaskCommand;
}

function taskRoute<B extends z.ZodType>(action: TaskAction<B>): RouteSpec {
  return defineRoute({
    method: 'post',
    path: `/items/:id/tasks/:taskId/${action.segment}`,
    operationId: action.type,
    summary: action.summary,
    tag: 'Task actions',
    roles: commandRoles(action.type),
    params: TaskParamsSchema,
    body: action.body,
    idempotent: true,
    response: { status: 200, description: 'what the command did, and the version it produced', schema: CommandResultSchema },
    errors: [404, 409, 422],
    handler: async (ctx) => {
      const command = action.toCommand(ctx.params.taskId, ctx.body);
      if (command.type === 'reassignTask') await assertKnownUnits(ctx.deps.pool, unitsOfTask(command, 'body'));
      if (command.type === 'reportProgress' || command.type === 'submitTask') {
        await assertCitesOwnFiles(ctx.deps, ctx.actor, ctx.params.id, command.taskId, command.evidence);
      }
      return runCommand(ctx, ctx.params.id, command);
    },
  });
}

export const taskActionRoutes: RouteSpec[] = [
  taskRoute({
    segment: 'progress', type: 'reportProgress', summary: 'Report progress on a task', body: ReportProgressBodySchema,
    toCommand: (taskId, b) => ({ type: 'reportProgress', taskId, ...b }),
  }),
  taskRoute({
    segment: 'submit', type: 'submitTask', summary: 'Submit a task for acceptance', body: SubmitTaskBodySchema,
    toCommand: (taskId, b) => ({ type: 'submitTask', taskId, ...b }),
  }),
  taskRoute({
    segment: 'extension-requests', type: 'requestExtension', summary: 'Request a deadline extension', body: RequestExtensionBodySchema,
    toCommand: (taskId, b) => ({ type: 'requestExtension', taskId, ...b }),
  }),
  taskRoute({
    segment: 'accept', type: 'acceptTask', summary: 'Accept a submitted task', body: AcceptTaskBodySchema,
    toCommand: (taskId, b) => ({ type: 'acceptTask', taskId, ...b }),
  }),
  taskRoute({
    segment: 'send-back', type: 'sendBackTask', summary: 'Send a submitted task back for rework', body: SendBackTaskBodySchema,
    toCommand: (taskId, b) => ({ type: 'sendBackTask', taskId, ...b }),
  }),
  taskRoute({
    segment: 'extension-decision', type: 'decideExtension', summary: 'Approve or deny a pending extension', body: DecideExtensionBodySchema,
    toCommand: (taskId, b) => ({ type: 'decideExtension', taskId, ...b }),
  }),
  taskRoute({
    segment: 'reassign', type: 'reassignTask', summary: 'Reassign a task to another unit or person', body: ReassignTaskBodySchema,
    toCommand: (taskId, b) => ({ type: 'reassignTask', taskId, ...b }),
  }),
  taskRoute({
    segment: 'cancel', type: 'cancelTask', summary: 'Cancel a task', body: ReasonBodySchema,
    toCommand: (taskId, b) => ({ type: 'cancelTask', taskId, ...b }),
  }),
  taskRoute({
    segment: 'pause', type: 'pauseTask', body: ReasonBodySchema,
    summary: 'Pause the task\'s clock (中止计时): no warning, deadline or rung comes until it is resumed',
    toCommand: (taskId, b) => ({ type: 'pauseTask', taskId, ...b }),
  }),
  taskRoute({
    segment: 'resume', type: 'resumeTask', body: NoteBodySchema,
    summary: 'Resume the task\'s clock; its deadline moves by the working days it was paused',
    toCommand: (taskId, b) => ({ type: 'resumeTask', taskId, ...b }),
  }),
];
