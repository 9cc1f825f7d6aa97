/** Answers shaped as the API's schemas (typed by the generated client, so they cannot drift). */
import type { ItemSummary, ItemView, TaskView, UnitRanking, UnitTasks } from '../src/api/client';

const at = '2027-01-10T10:00:00+08:00';

export function task(over: Partial<TaskView> = {}): TaskView {
  return {
    id: 'T1', problemIds: ['P1'], ownerUnit: 'unit-a', ownerPerson: '王芳', coOwners: [], status: 'inProgress', assignedAt: at,
    originalDueAt: '2027-02-01T23:59:59+08:00', percent: 40, reportCount: 1, reworkCount: 0, extensionsApproved: 0, extensionsDenied: 0,
    alarms: { dueAt: '2027-02-01T23:59:59+08:00', warned: false, overdue: false, rungsFired: 0 }, escalationLevel: 0, maxEscalationLevel: 0,
    stale: false, ownerUnitName: '县交通运输局', coOwnerNames: [], description: '修复村道 2 公里',
    deadline: { dueAt: '2027-02-01T23:59:59+08:00', spec: { kind: 'workingDays', days: 10 }, resolvedAt: at, basis: 'workingDays' },
    light: 'green', ...over,
  };
}

export function item(over: Partial<ItemView> = {}): ItemView {
  return {
    id: 'road-7', title: '村道整治', supervisionLevel: 'county', leader: { id: 'leader-1', name: '李雷' },
    policy: { timezone: 'Asia/Shanghai', weeklyDispatch: { weekday: 1, time: '09:00' }, monthlyReview: { day: 1, time: '09:00' }, warningLead: 'P3D', escalationLadder: [] },
    status: 'active', createdAt: at, createdBy: 'leader-1', updatedAt: at,
    problems: [{ id: 'P1', severity: 'high', status: 'open', description: '雨天无法通行' }],
    tasks: [task()],
    schedule: { nextDispatchAt: at, nextReviewAt: at, dispatchCount: 0, reviewCount: 0 },
    counters: { escalations: 0, reworks: 0, escalationsSinceReview: 0, reworksSinceReview: 0, auditSeq: 1 },
    figures: { light: 'green', ownerUnits: ['unit-a'], openTasks: 1, overdueTasks: 0, openProblems: 1, escalationLevel: 0, maxEscalationLevel: 0 },
    version: 3, asOf: at, ...over,
  } as ItemView;
}

export function summary(id: string, light: ItemSummary['light'], over: Partial<ItemSummary> = {}): ItemSummary {
  return {
    id, planId: null, title: `事项 ${id}`, source: null, category: null, supervisionLevel: 'county', leaderId: 'leader-1', leaderName: '李雷',
    status: 'active', light, ownerUnits: ['unit-a'], ownerUnitNames: ['县交通运输局'], openTasks: 1, overdueTasks: light === 'red' ? 1 : 0,
    openProblems: 1, escalationLevel: 0, maxEscalationLevel: 0, nextDeadline: '2027-02-01T23:59:59+08:00', createdAt: at, updatedAt: at,
    completedAt: null, cancelledAt: null, version: 1, asOf: at, ...over,
  };
}

export const ranking: UnitRanking = {
  planId: null,
  units: [
    { rank: 1, ownerUnit: 'unit-a', unitName: '县交通运输局', totalTasks: 4, acceptedTasks: 3, completionRate: 0.75, overdueTasks: 0, escalations: 0, reworks: 1 },
    { rank: 2, ownerUnit: 'unit-b', unitName: '县水利局', totalTasks: 2, acceptedTasks: 0, completionRate: 0, overdueTasks: 1, escalations: 2, reworks: 0 },
  ],
};

export const inbox: UnitTasks = {
  unit: 'unit-a', unitName: '县交通运输局',
  tasks: [
    { itemId: 'road-9', itemTitle: '路灯安装', planId: null, taskId: 'T2', description: '安装路灯', status: 'assigned', light: 'green', percent: 0, ownerPerson: '王芳', coOwners: [], dueAt: '2027-03-01T23:59:59+08:00', originalDueAt: '2027-03-01T23:59:59+08:00', escalationLevel: 0, stale: false, lastProgressAt: null },
    { itemId: 'road-7', itemTitle: '村道整治', planId: null, taskId: 'T1', description: '修复村道', status: 'inProgress', light: 'red', percent: 40, ownerPerson: '王芳', coOwners: [], dueAt: '2026-11-01T23:59:59+08:00', originalDueAt: '2026-11-01T23:59:59+08:00', escalationLevel: 1, stale: false, lastProgressAt: null },
  ],
};

export const emptyRecords = {
  'GET /items/road-7/audit': { status: 200, body: { events: [{ itemId: 'road-7', seq: 1, at: '2027-01-10T02:00:00Z', actor: { id: 'leader-1', name: '李雷', role: 'leader' }, action: 'itemCreated', details: {} }] } },
  'GET /items/road-7/escalations': { status: 200, body: { escalations: [{ itemId: 'road-7', taskId: 'T1', ownerUnit: 'unit-a', dueAt: at, rung: 0, level: 1, notify: ['ownerUnit'], firedAt: '2027-01-12T02:00:00Z' }] } },
  'GET /items/road-7/dispatches': { status: 200, body: { dispatches: [] } },
  'GET /items/road-7/reviews': { status: 200, body: { reviews: [] } },
  'GET /items/road-7/notifications': { status: 200, body: { notifications: [] } },
  'GET /items/road-7/tasks/T1/evidence': { status: 200, body: { files: [] } },
  'GET /units': { status: 200, body: { units: [{ code: 'unit-a', name: '县交通运输局', kind: 'countyDepartment', active: true }, { code: 'unit-b', name: '县水利局', kind: 'countyDepartment', active: true }] } },
};
