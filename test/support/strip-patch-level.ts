/** Workflow interceptor for tests: the worker it is bundled into ignores `patchLevel`, as code from before levels did. */
import type { WorkflowInterceptorsFactory } from '@temporalio/workflow';

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [{
    async execute(input, next) {
      const [first, ...rest] = input.args as [Record<string, unknown>, ...unknown[]];
      const { patchLevel: _ignored, ...withoutLevel } = first;
      return next({ ...input, args: [withoutLevel, ...rest] });
    },
  }],
});
