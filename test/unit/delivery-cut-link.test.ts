/**
 * A message cut to fit a platform's size (WeCom 4,096 bytes, Feishu 20 KB)
 * keeps its link to the item: the link is what lets the reader see the rest.
 */
import { feishuBody, FEISHU_MAX_BODY_BYTES } from '../../activities/delivery/channels/feishu';
import type { DeliveryMessage } from '../../activities/delivery/channels/types';
import { wecomContent, WECOM_MARKDOWN_MAX_BYTES } from '../../activities/delivery/channels/wecom';
import { renderMessage } from '../../activities/delivery/render';
import { utf8Length } from '../../activities/delivery/text';

const LINK = 'https://dubann.example.cn/items/road-7';

function longMessage(descriptionChars: number): DeliveryMessage {
  const rendered = renderMessage({
    kind: 'escalation', itemId: 'road-7', itemTitle: '国道整治', timezone: 'Asia/Shanghai', taskId: 't1',
    taskDescription: '路面修复'.repeat(descriptionChars / 4), unitName: '县交通运输局', dueAt: '2026-06-01T00:00:00Z', daysOverdue: 3,
    level: 2, baseUrl: 'https://dubann.example.cn',
  });
  return { deliveryId: 'd-1', ...rendered };
}

it('the rendered message ends with its link', () => {
  expect(longMessage(8).markdown.endsWith(`(${LINK})`)).toBe(true);
});

it('WeCom: cut to 4,096 bytes, with the note, and the link still there', () => {
  const content = wecomContent(longMessage(4000));
  expect(utf8Length(content)).toBeLessThanOrEqual(WECOM_MARKDOWN_MAX_BYTES);
  expect(content).toContain('已截断');
  expect(content.endsWith(`(${LINK})`)).toBe(true);
});

it('Feishu: cut to 20 KB, with the note, and the link still there', () => {
  const body = feishuBody(longMessage(20_000), { kind: 'feishu', id: 'f', hookId: 'h' }, 0);
  expect(utf8Length(body)).toBeLessThanOrEqual(FEISHU_MAX_BODY_BYTES);
  const content: string = JSON.parse(body).card.elements[0].content;
  expect(content).toContain('已截断');
  expect(content.endsWith(`(${LINK})`)).toBe(true);
});

it('a message that fits is not touched', () => {
  const m = longMessage(8);
  expect(wecomContent(m)).toBe(`### ${m.title}\n${m.markdown}`);
  expect(JSON.parse(feishuBody(m, { kind: 'feishu', id: 'f', hookId: 'h' }, 0)).card.elements[0].content).toBe(m.markdown);
});
