/**
 * How a sender's claimed deliveries become messages (activities/delivery/send.ts):
 * level-3 escalations alone, a retried message whole and as it was, the rest in
 * digests of at most `digestMax`; and whom each message is addressed to.
 */
import type { DeliveryRow } from '../../db/repositories/deliveries';
import { addressed, groupsOf } from '../../activities/delivery/send';
import type { DingTalkEndpoint, EmailEndpoint, WeComEndpoint } from '../../domain/channel-config';

let seq = 0;
function row(over: Partial<DeliveryRow> = {}): DeliveryRow {
  seq += 1;
  return {
    id: `d${seq}`, notificationKey: `k${seq}`, itemId: 'road-7', taskId: 'T1', unitCode: 'transport', channelId: 'robot',
    level: 1, mentions: [], status: 'pending', attempts: 0, notBefore: '2026-06-01T02:00:00.000Z', messageId: null,
    lastError: null, createdAt: '2026-06-01T02:00:00.000Z', lastAttemptAt: null, deliveredAt: null, resentAt: null, resentBy: null,
    ...over,
  };
}

describe('groupsOf', () => {
  it('a wave of 45 ordinary notifications is three digests: 20, 20 and 5', () => {
    const rows = Array.from({ length: 45 }, () => row());
    const groups = groupsOf(rows, 20);
    expect(groups.map((g) => g.length)).toEqual([20, 20, 5]);
    expect(groups.flat().map((r) => r.id)).toEqual(rows.map((r) => r.id));
  });

  it('level-3 escalations (and higher) leave alone and first, even amid a digest', () => {
    const rows = [row({ level: 1 }), row({ level: 3 }), row({ level: null }), row({ level: 4 }), row({ level: 2 })];
    const groups = groupsOf(rows, 20);
    expect(groups.map((g) => g.map((r) => r.id))).toEqual([[rows[1]!.id], [rows[3]!.id], [rows[0]!.id, rows[2]!.id, rows[4]!.id]]);
  });

  it('deliveries already given a message id go again together, as that message, and never join a new digest', () => {
    const retried = [row({ messageId: 'g_old', attempts: 2 }), row({ messageId: 'g_old', attempts: 2 })];
    const alone = row({ messageId: 'd_single', attempts: 1, level: 3 });
    const fresh = [row(), row()];
    const groups = groupsOf([fresh[0]!, retried[0]!, alone, retried[1]!, fresh[1]!], 20);
    expect(groups.map((g) => g.map((r) => r.id))).toEqual([
      [retried[0]!.id, retried[1]!.id], [alone.id], [fresh[0]!.id, fresh[1]!.id],
    ]);
  });

  it('nothing claimed, no message', () => {
    expect(groupsOf([], 20)).toEqual([]);
  });
});

describe('addressed', () => {
  const deputy = { name: 'Deputy', mobile: '13800000002', email: 'deputy@transport.cn' };
  const chief = { name: 'Chief', mobile: '13800000001', email: 'chief@transport.cn' };
  const dingtalk: DingTalkEndpoint = { kind: 'dingtalk', id: 'transport/robot', accessToken: 'tok', atMobiles: ['13700000000'] };
  const email: EmailEndpoint = { kind: 'email', id: 'transport/mail', host: 'smtp.example.cn', from: 'bot@example.cn', to: ['office@transport.cn'], cc: ['archive@transport.cn'] };

  it('DingTalk: the named leaders\' mobiles are @-mentioned, after the robot\'s own, without repeats', () => {
    const out = addressed(dingtalk, [{ mentions: [deputy, chief] }, { mentions: [deputy] }]) as DingTalkEndpoint;
    expect(out.atMobiles).toEqual(['13700000000', '13800000002', '13800000001']);
  });

  it('DingTalk: a message naming nobody keeps the robot as configured', () => {
    expect(addressed(dingtalk, [{ mentions: [] }])).toEqual(dingtalk);
  });

  it('e-mail to leaders: they are the addressees, the unit\'s mailboxes in copy', () => {
    const out = addressed(email, [{ mentions: [deputy, chief] }, { mentions: [] }]) as EmailEndpoint;
    expect(out.to).toEqual(['deputy@transport.cn', 'chief@transport.cn']);
    expect(out.cc).toEqual(['office@transport.cn', 'archive@transport.cn']);
  });

  it('e-mail naming nobody goes to the unit\'s mailboxes as configured; a leader without an address adds nobody', () => {
    expect(addressed(email, [{ mentions: [] }])).toBe(email);
    expect(addressed(email, [{ mentions: [{ name: 'No mail', mobile: '13800000003' }] }])).toBe(email);
  });

  it('e-mail: an address both named and configured is written to once', () => {
    const out = addressed({ ...email, cc: undefined }, [{ mentions: [{ name: 'Office', email: 'office@transport.cn' }] }]) as EmailEndpoint;
    expect(out.to).toEqual(['office@transport.cn']);
    expect(out.cc).toBeUndefined();
  });

  it('WeCom has no per-message addressing: unchanged', () => {
    const wecom: WeComEndpoint = { kind: 'wecom', id: 'transport/wc', key: 'k' };
    expect(addressed(wecom, [{ mentions: [deputy] }])).toBe(wecom);
  });
});
