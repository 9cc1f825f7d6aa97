/**
 * The message templates. Snapshots hold the exact words of every kind and of a
 * digest (a change of wording shows up in review); the assertions below them
 * hold what must stay true whatever the wording.
 */
import type { NotificationKind } from '../../domain/types';
import { escalationLabel, itemLink, renderMessage, type NotificationFacts } from '../../activities/delivery/render';
import { utf8Length } from '../../activities/delivery/text';

const BASE_URL = 'https://dubann.example.gov.cn/';
const facts: NotificationFacts = {
  kind: 'warning',
  itemId: 'road-7',
  itemTitle: '修复省委巡视反馈的村道损毁问题',
  taskId: 'T1',
  taskDescription: '重铺小王村道路 2 公里',
  unitName: '县交通运输局',
  dueAt: '2026-12-31T15:59:00Z',
  timezone: 'Asia/Shanghai',
};

const cases: Array<[string, Partial<NotificationFacts> & { kind: NotificationKind }]> = [
  ['warning', { kind: 'warning' }],
  ['overdue', { kind: 'overdue', daysOverdue: 2 }],
  ['escalation level 1', { kind: 'escalation', level: 1, daysOverdue: 0 }],
  ['escalation level 3', { kind: 'escalation', level: 3, daysOverdue: 7, alsoNotified: ['李雷（分管副县长）', '县委督查室'] }],
  ['chase', { kind: 'chase' }],
  ['submitted', { kind: 'submitted' }],
  ['extensionRequested', { kind: 'extensionRequested', newDueAt: '2027-01-15T10:00:00Z', reason: '沥青厂春节停产' }],
  ['extensionDecided approved', { kind: 'extensionDecided', approved: true, newDueAt: '2027-01-15T10:00:00Z', reason: '最后一次' }],
  ['extensionDecided denied', { kind: 'extensionDecided', approved: false }],
  ['sentBack', { kind: 'sentBack', reason: '验收报告未盖章' }],
  ['accepted', { kind: 'accepted' }],
  ['reassigned', { kind: 'reassigned', unitName: '县公路事业发展中心' }],
];

describe('one notification', () => {
  it.each(cases)('%s', (_, over) => {
    expect(renderMessage({ ...facts, ...over, baseUrl: BASE_URL })).toMatchSnapshot();
  });

  it('every message names the item, links to it and shows the deadline in force in local time', () => {
    for (const [, over] of cases) {
      const inForce = over.kind === 'extensionDecided' && over.approved ? '2027年1月15日 18:00' : '2026年12月31日 23:59';
      const m = renderMessage({ ...facts, ...over, baseUrl: BASE_URL });
      expect(m.title).toMatch(/^【.+】修复省委巡视反馈的村道损毁问题$/);
      expect(m.markdown).toContain('[查看详情](https://dubann.example.gov.cn/items/road-7)');
      expect(m.text).toContain('查看详情：https://dubann.example.gov.cn/items/road-7');
      expect(m.text).toContain(`整改期限：${inForce}`);
      expect(m.markdown).not.toContain(m.title);
    }
  });

  it('escapes user text in Markdown and keeps it plain in text and title', () => {
    const m = renderMessage({
      ...facts, kind: 'sentBack', itemTitle: '**假标题** [钓鱼](http://evil.cn)', unitName: '# 单位', reason: '- 理由 <b>', baseUrl: BASE_URL,
    });
    expect(m.title).toBe('【退回整改】**假标题** [钓鱼](http://evil.cn)');
    expect(m.markdown).toContain('\\*\\*假标题\\*\\* \\[钓鱼\\](http://evil.cn)');
    expect(m.markdown).not.toContain('[钓鱼](');
    expect(m.markdown).toContain('**责任单位**：\\# 单位');
    expect(m.markdown).toContain('退回原因：\\- 理由 \\<b\\>。');
    expect(m.text).toContain('退回原因：- 理由 <b>。');
  });

  it('shows the zone when the item is not on Beijing time, and labels escalation levels in Chinese', () => {
    const m = renderMessage({ ...facts, kind: 'warning', timezone: 'America/New_York', baseUrl: BASE_URL });
    expect(m.text).toContain('2026年12月31日 10:59（America/New_York）');
    expect(m.markdown).toContain('America/New\\_York');
    expect([1, 2, 3, 4, 10].map(escalationLabel)).toEqual(['一级督办', '二级督办', '三级督办', '四级督办', '十级督办']);
  });

  it('shortens long titles and encodes the item id in the link', () => {
    const m = renderMessage({ ...facts, itemTitle: '长'.repeat(60), itemId: 'a b/(c)', baseUrl: BASE_URL });
    expect(Array.from(m.title.replace(/^【.+?】/, ''))).toHaveLength(40);
    expect(itemLink('https://x.cn', 'a b/(c)')).toBe('https://x.cn/items/a%20b%2F%28c%29');
    expect(m.markdown).toContain('(https://dubann.example.gov.cn/items/a%20b%2F%28c%29)');
  });
});

describe('digest', () => {
  const many: NotificationFacts[] = [
    { ...facts, kind: 'warning', itemId: 'w1', taskId: 'T9' },
    { ...facts, kind: 'escalation', level: 2, daysOverdue: 4, itemId: 'e2' },
    { ...facts, kind: 'escalation', level: 3, daysOverdue: 9, itemId: 'e3' },
    { ...facts, kind: 'overdue', daysOverdue: 1, itemId: 'o1' },
    { ...facts, kind: 'chase', itemId: 'c1', unitName: '县水务局' },
    { ...facts, kind: 'accepted', itemId: 'a1' },
  ];

  it('groups several notifications by kind, most urgent first, with counts', () => {
    const m = renderMessage({ kind: 'digest', baseUrl: BASE_URL, notifications: many });
    expect(m).toMatchSnapshot();
    expect(m.title).toBe('【督办消息汇总】共 6 条，含三级督办');
    const order = ['督办升级（2 条）', '逾期提醒（1 条）', '临期预警（1 条）', '督促催办（1 条）', '验收通过（1 条）'].map((h) => m.text.indexOf(h));
    expect(order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1]!))).toBe(true);
    expect(m.text.indexOf('items/e3')).toBeLessThan(m.text.indexOf('items/e2')); // level 3 before level 2
  });

  it('caps the entries and says how many more there are', () => {
    const m = renderMessage({ kind: 'digest', baseUrl: BASE_URL, notifications: many, maxEntries: 4 });
    expect(m.markdown.match(/^- /gm)).toHaveLength(4);
    expect(m.markdown.endsWith('…还有 2 条')).toBe(true);
    expect(m.text.endsWith('…还有 2 条')).toBe(true);
  });

  it('caps the bytes so the digest fits a WeCom message', () => {
    const flood = Array.from({ length: 200 }, (_, i) => ({ ...facts, kind: 'chase' as const, itemId: `item-${i}` }));
    const m = renderMessage({ kind: 'digest', baseUrl: BASE_URL, notifications: flood, maxEntries: 1000 });
    expect(utf8Length(m.markdown)).toBeLessThanOrEqual(3500 + 40);
    const shown = m.markdown.match(/^- /gm)!.length;
    expect(shown).toBeGreaterThan(5);
    expect(m.markdown).toContain(`…还有 ${200 - shown} 条`);
    expect(m.title).toBe('【督办消息汇总】共 200 条');
  });
});
