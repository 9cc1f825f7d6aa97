/** Path parameters, validated like any other input so a bad id is a 400 naming the parameter. */
import { z } from 'zod';
import { IdSchema, NameSchema } from './common';

export const ItemParamsSchema = z.object({ id: IdSchema });
export const TaskParamsSchema = z.object({ id: IdSchema, taskId: IdSchema });
export const ProblemParamsSchema = z.object({ id: IdSchema, problemId: IdSchema });
export const PlanParamsSchema = z.object({ id: IdSchema });
export const UnitParamsSchema = z.object({ unit: NameSchema });
