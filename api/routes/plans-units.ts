/** Plans (整改方案) and responsible units (责任单位): read from PostgreSQL. */
import { randomUUID } from 'node:crypto';
import { createPlan, getPlan, listPlans, planReport, setPlanLeaders } from '../../db/repositories/plans';
import { unitNames } from '../../db/repositories/directory';
import { unitOpenTasks, unitRanking } from '../../db/repositories/units';
import { DomainError } from '../../domain/errors';
import { defineRoute, type RouteSpec } from '../http/route';
import { PlanParamsSchema, UnitParamsSchema } from '../schemas/params';
import { PageQuerySchema, RankingQuerySchema } from '../schemas/queries';
import { PlanInputSchema, PlanLeadersSchema, PlanPageSchema, PlanReportSchema, PlanSchema, UnitRankingSchema, UnitTasksSchema } from '../schemas/read-models';

const ALL_ROLES = ['leader', 'owner', 'supervisor', 'admin'] as const;

export const planAndUnitRoutes: RouteSpec[] = [
  defineRoute({
    method: 'post',
    path: '/plans',
    operationId: 'createPlan',
    summary: 'Create a plan',
    tag: 'Plans',
    roles: ['leader', 'admin'],
    body: PlanInputSchema,
    response: { status: 201, description: 'the new plan', schema: PlanSchema },
    errors: [409],
    handler: async ({ body, actor, deps, res }) => {
      // a leader who draws up a plan answers for it
      const leaderIds = [...new Set([...(actor.role === 'leader' ? [actor.id] : []), ...(body.leaderIds ?? [])])];
      if (leaderIds.length === 0) leaderIds.push(actor.id);
      const plan = await createPlan(deps.pool, { ...body, id: body.id ?? randomUUID(), leaderIds, createdBy: actor.id });
      res.location(`/plans/${encodeURIComponent(plan.id)}`);
      return plan;
    },
  }),
  defineRoute({
    method: 'post',
    path: '/plans/:id/leaders',
    operationId: 'setPlanLeaders',
    summary: 'Name the leaders who answer for a plan',
    description: 'Replaces the list. Admins, and leaders who answer for the plan now, may change it.',
    tag: 'Plans',
    roles: ['leader', 'admin'],
    params: PlanParamsSchema,
    body: PlanLeadersSchema,
    response: { status: 200, description: 'the plan', schema: PlanSchema },
    errors: [404],
    handler: async ({ params, body, actor, deps }) => {
      const plan = await getPlan(deps.pool, params.id);
      if (!plan) throw new DomainError('NOT_FOUND', `no plan '${params.id}'`, { planId: params.id });
      if (actor.role !== 'admin' && !plan.leaderIds.includes(actor.id)) {
        throw new DomainError('FORBIDDEN', `you do not answer for plan '${params.id}'`, { planId: params.id });
      }
      return setPlanLeaders(deps.pool, params.id, [...new Set(body.leaderIds)]);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/plans',
    operationId: 'listPlans',
    summary: 'List plans',
    tag: 'Plans',
    roles: ALL_ROLES,
    query: PageQuerySchema,
    response: { status: 200, description: 'newest first', schema: PlanPageSchema },
    errors: [422],
    handler: async ({ query, deps }) => listPlans(deps.pool, query),
  }),
  defineRoute({
    method: 'get',
    path: '/plans/:id',
    operationId: 'getPlanReport',
    summary: 'Read a plan with its counts, completion and four lists',
    tag: 'Plans',
    roles: ['leader', 'supervisor', 'admin'],
    params: PlanParamsSchema,
    response: { status: 200, description: 'the plan report', schema: PlanReportSchema },
    errors: [404],
    handler: async ({ params, deps }) => {
      const report = await planReport(deps.pool, params.id);
      if (!report) throw new DomainError('NOT_FOUND', `no plan '${params.id}'`, { planId: params.id });
      return report;
    },
  }),
  defineRoute({
    method: 'get',
    path: '/units/ranking',
    operationId: 'unitRanking',
    summary: 'Rank units by completion, overdue work and escalations',
    tag: 'Units',
    roles: ALL_ROLES,
    query: RankingQuerySchema,
    response: { status: 200, description: 'best first', schema: UnitRankingSchema },
    errors: [404],
    handler: async ({ query, deps }) => {
      if (query.planId && !(await getPlan(deps.pool, query.planId))) {
        throw new DomainError('NOT_FOUND', `no plan '${query.planId}'`, { planId: query.planId });
      }
      return { planId: query.planId ?? null, units: await unitRanking(deps.pool, { planId: query.planId }) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/units/:unit/tasks',
    operationId: 'unitOpenTasks',
    summary: 'A unit\'s open tasks',
    description: 'Most urgent first. Owners may read only their own unit.',
    tag: 'Units',
    roles: ALL_ROLES,
    params: UnitParamsSchema,
    response: { status: 200, description: 'open tasks', schema: UnitTasksSchema },
    handler: async ({ params, actor, deps }) => {
      if (actor.role === 'owner' && actor.unit !== params.unit) {
        throw new DomainError('FORBIDDEN', `an owner of ${actor.unit} may not read ${params.unit}'s tasks`);
      }
      const names = await unitNames(deps.pool, [params.unit]);
      return { unit: params.unit, unitName: names.get(params.unit) ?? params.unit, tasks: await unitOpenTasks(deps.pool, params.unit) };
    },
  }),
];
