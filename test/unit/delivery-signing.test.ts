/**
 * Signatures and request shapes of the channels against fixtures derived by
 * hand (openssl dgst -hmac) and, for Standard Webhooks, the specification's
 * published test vector, not by calling the code under test.
 */
import { dingtalkBody, dingtalkSign, dingtalkUrl } from '../../activities/delivery/channels/dingtalk';
import { messageIdLocalPartFor, webhookIdFor } from '../../activities/delivery/channels/delivery-id';
import { emailFields, emailMessageId } from '../../activities/delivery/channels/email';
import { FEISHU_MAX_BODY_BYTES, feishuBody, feishuSign, feishuUrl } from '../../activities/delivery/channels/feishu';
import type { DeliveryMessage, EmailEndpoint } from '../../activities/delivery/channels/types';
import { webhookBody, webhookKey, webhookSignature } from '../../activities/delivery/channels/webhook';
import { WECOM_MARKDOWN_MAX_BYTES, WECOM_TRUNCATION_NOTE, wecomContent, wecomUrl } from '../../activities/delivery/channels/wecom';

const message: DeliveryMessage = { deliveryId: 'n-1', title: '【临期预警】修路', markdown: '**任务**：T1', text: '任务：T1', level: 2 };

describe('DingTalk 加签', () => {
  // printf '1700000000000\nSECtest0123456789abcdef' | openssl dgst -sha256 -hmac SECtest0123456789abcdef -binary | base64
  const B64 = '/lfnxUUu80FwVTsIlv2F1cMGBb+PxEKAwYh/bsRxXcc=';

  it('signs `${timestampMs}\\n${secret}` with the secret as key, base64, then URL-encodes', () => {
    expect(dingtalkSign('SECtest0123456789abcdef', 1_700_000_000_000)).toBe(encodeURIComponent(B64));
    expect(dingtalkSign('SECtest0123456789abcdef', 1_700_000_000_000)).toBe('%2FlfnxUUu80FwVTsIlv2F1cMGBb%2BPxEKAwYh%2FbsRxXcc%3D');
  });

  it('puts token, millisecond timestamp and sign in the query of the robot URL', () => {
    const url = new URL(dingtalkUrl({ kind: 'dingtalk', id: 'd', accessToken: 'tok en', secret: 'SECtest0123456789abcdef' }, 1_700_000_000_000));
    expect(url.origin + url.pathname).toBe('https://oapi.dingtalk.com/robot/send');
    expect(url.searchParams.get('access_token')).toBe('tok en');
    expect(url.searchParams.get('timestamp')).toBe('1700000000000');
    expect(url.searchParams.get('sign')).toBe(B64);
  });

  it('sends no timestamp or sign without a secret, and honours the base URL', () => {
    const url = new URL(dingtalkUrl({ kind: 'dingtalk', id: 'd', accessToken: 't', baseUrl: 'http://127.0.0.1:9/' }, 1));
    expect(url.href).toBe('http://127.0.0.1:9/robot/send?access_token=t');
  });

  it('sends a markdown message with the title as heading and the @mobiles in the text', () => {
    const body = JSON.parse(dingtalkBody(message, { kind: 'dingtalk', id: 'd', accessToken: 't', atMobiles: ['13800000000'] }));
    expect(body).toEqual({
      msgtype: 'markdown',
      markdown: { title: '【临期预警】修路', text: '### 【临期预警】修路\n\n**任务**：T1\n\n@13800000000' },
      at: { atMobiles: ['13800000000'], isAtAll: false },
    });
  });
});

describe('Feishu 签名校验', () => {
  // KEY=$(printf '1599360473\nfeishu-test-secret' | xxd -p); printf '' | openssl dgst -sha256 -mac HMAC -macopt hexkey:$KEY -binary | base64
  const SIGN = '7Gq8ROqhtzskcbk2fAPXpWnrRaTUDD2iIHvbmt3/cuo=';

  it('uses `${timestamp}\\n${secret}` as the KEY and signs an empty message', () => {
    expect(feishuSign('feishu-test-secret', 1_599_360_473)).toBe(SIGN);
  });

  it('carries the timestamp in seconds, as a string, and the sign in the body of an interactive card', () => {
    const body = JSON.parse(feishuBody(message, { kind: 'feishu', id: 'f', hookId: 'h', secret: 'feishu-test-secret' }, 1_599_360_473_999));
    expect(body).toEqual({
      timestamp: '1599360473',
      sign: SIGN,
      msg_type: 'interactive',
      card: {
        config: { wide_screen_mode: true },
        header: { title: { tag: 'plain_text', content: '【临期预警】修路' }, template: 'orange' },
        elements: [{ tag: 'markdown', content: '**任务**：T1' }],
      },
    });
    expect(feishuUrl({ kind: 'feishu', id: 'f', hookId: 'abc-123' })).toBe('https://open.feishu.cn/open-apis/bot/v2/hook/abc-123');
  });

  it('cuts the card text so that the whole body stays within 20 KB, even when JSON escaping inflates it', () => {
    const markdown = '"引号"\n'.repeat(5000); // every " and \n doubles in JSON
    const raw = feishuBody({ ...message, markdown }, { kind: 'feishu', id: 'f', hookId: 'h' }, 0);
    expect(Buffer.byteLength(raw)).toBeLessThanOrEqual(FEISHU_MAX_BODY_BYTES);
    const content: string = JSON.parse(raw).card.elements[0].content;
    expect(content.endsWith('…（内容过长，已截断）')).toBe(true);
    expect(Buffer.byteLength(content)).toBeGreaterThan(FEISHU_MAX_BODY_BYTES / 2);
    expect(JSON.parse(raw)).not.toHaveProperty('sign');
  });
});

describe('WeCom markdown', () => {
  it('keys the URL and keeps short content whole, title first', () => {
    expect(wecomUrl({ kind: 'wecom', id: 'w', key: 'k/1' })).toBe('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k%2F1');
    expect(wecomContent(message)).toBe('### 【临期预警】修路\n**任务**：T1');
  });

  it('cuts content over 4096 bytes on a character boundary and says so', () => {
    const content = wecomContent({ ...message, markdown: '督'.repeat(2000) }); // 6000 bytes of 3-byte characters
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(WECOM_MARKDOWN_MAX_BYTES);
    expect(Buffer.byteLength(content)).toBeGreaterThan(WECOM_MARKDOWN_MAX_BYTES - 3);
    expect(content.endsWith(WECOM_TRUNCATION_NOTE)).toBe(true);
    expect(content).not.toContain('\uFFFD');
  });
});

describe('Standard Webhooks', () => {
  it('matches the specification test vector', () => {
    const key = webhookKey('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')!;
    expect(webhookSignature(key, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('refuses secrets without the whsec_ prefix, not base64, or shorter than 24 bytes', () => {
    expect(webhookKey('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toBeUndefined();
    expect(webhookKey('whsec_not base64!')).toBeUndefined();
    expect(webhookKey(`whsec_${Buffer.alloc(23, 7).toString('base64')}`)).toBeUndefined();
    expect(webhookKey(`whsec_${Buffer.alloc(24, 7).toString('base64')}`)).toEqual(Buffer.alloc(24, 7));
  });

  it('sends a body with the message fields and the caller event', () => {
    const body = JSON.parse(webhookBody({ ...message, event: { kind: 'warning', itemId: 'road-7' } }, Date.UTC(2026, 0, 2, 3, 4, 5)));
    expect(body).toEqual({
      type: 'rectification.notification',
      timestamp: '2026-01-02T03:04:05.000Z',
      data: { deliveryId: 'n-1', title: message.title, text: message.text, markdown: message.markdown, level: 2, event: { kind: 'warning', itemId: 'road-7' } },
    });
  });

  it('uses the deliveryId as webhook-id when it fits, else a stable hash without dots', () => {
    expect(webhookIdFor('road-7_T1_warning')).toBe('road-7_T1_warning');
    const hashed = webhookIdFor('road-7|T1|warning|2026-12-31T15:59:59.000Z|ownerUnit|交通局');
    expect(hashed).toMatch(/^sha256-[0-9a-f]{64}$/);
    expect(webhookIdFor('road-7|T1|warning|2026-12-31T15:59:59.000Z|ownerUnit|交通局')).toBe(hashed);
    expect(webhookIdFor('road-7|T1|warning|2026-12-31T15:59:59.000Z|ownerUnit|水务局')).not.toBe(hashed);
  });
});

describe('e-mail fields', () => {
  const endpoint: EmailEndpoint = { kind: 'email', id: 'e', host: 'h', from: '督办系统 <noreply@dubann.example.cn>', to: ['a@example.cn'] };

  it('derives the Message-ID from the deliveryId and the sender domain', () => {
    expect(emailMessageId('n-1.warning', endpoint)).toBe('<n-1.warning@dubann.example.cn>');
    expect(emailMessageId('a|b 交通局', endpoint)).toMatch(/^<sha256-[0-9a-f]{64}@dubann\.example\.cn>$/);
    expect(emailMessageId('x', { ...endpoint, messageIdDomain: 'ids.example.cn' })).toBe('<x@ids.example.cn>');
    expect(messageIdLocalPartFor('..bad')).toMatch(/^sha256-/);
  });

  it('sets subject, text and escaped HTML', () => {
    const f = emailFields({ ...message, markdown: '**任务**：<script>x</script>' }, endpoint);
    expect(f.subject).toBe('【临期预警】修路');
    expect(f.text).toBe('【临期预警】修路\n\n任务：T1');
    expect(f.html).toContain('<strong>任务</strong>：&lt;script&gt;x&lt;/script&gt;');
    expect(f.html).not.toContain('<script>');
  });
});
