import { redact } from '../../activities/delivery/redact';
import { createChannels, secretsOf } from '../../activities/delivery/channels';

describe('redact', () => {
  it('leaves what PostgreSQL cannot store out of a receiver\'s reply: NUL, other controls, half an emoji, also where the cut at 500 halves one', () => {
    expect(redact('bad\u0000reply\u0007 \ud83d here\nsecond line\ttab')).toBe('bad\uFFFDreply\uFFFD \uFFFD here\nsecond line\ttab');
    const cut = redact(`${'x'.repeat(499)}\ud83d\ude00 tail`);
    expect(cut).toBe(`${'x'.repeat(499)}\uFFFD…`);
    expect(redact('奖励 😀 intact')).toBe('奖励 😀 intact');
  });

  it('masks the known secrets and their URL-encoded forms', () => {
    expect(redact('token abc/def+1= went astray', ['abc/def+1='])).toBe('token *** went astray');
    expect(redact('GET /x?t=abc%2Fdef%2B1%3D', ['abc/def+1='])).toBe('GET /x?t=***');
    expect(redact('a SEC1234567890 and SEC1234567890x', ['SEC1234567890', 'SEC1234567890x'])).toBe('a *** and ***');
  });

  it('ignores known secrets shorter than 4 characters: they would mask ordinary words', () => {
    expect(redact('status ok', ['ok', undefined, ''])).toBe('status ok');
  });

  it.each([
    ['https://oapi.dingtalk.com/robot/send?access_token=0c23ab&timestamp=1&sign=x%2By', 'https://oapi.dingtalk.com/robot/send?access_token=***&timestamp=1&sign=***'],
    ['POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx failed', 'POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=*** failed'],
    ['https://open.feishu.cn/open-apis/bot/v2/hook/5e3d587e-d78e?x=1', 'https://open.feishu.cn/open-apis/bot/v2/hook/***?x=1'],
    ['smtp://mailer:s3cr3t!@smtp.example.cn:465', 'smtp://***@smtp.example.cn:465'],
    ['{"password":"hunter22","user":"a"}', '{"password":"***","user":"a"}'],
    ['secret=abc123; path=/', 'secret=***; path=/'],
    ['Authorization: Bearer eyJhbGciOi.x.y', 'Authorization: Bearer ***'],
    ['key whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw leaked', 'key whsec_*** leaked'],
    ['webhook-signature: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=', 'webhook-signature: ***'],
    ['signed v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= by us', 'signed v1,*** by us'],
    ['C: AUTH PLAIN AHVzZXIAcGFzcw==', 'C: AUTH PLAIN ***'],
  ])('masks %s', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it('leaves ordinary error text alone', () => {
    const text = 'DingTalk errcode 310000: sign not match; network error: ECONNREFUSED 127.0.0.1:4000';
    expect(redact(text)).toBe(text);
  });

  it('caps the length at 500 characters', () => {
    const out = redact('x'.repeat(2000));
    expect(out).toHaveLength(501);
    expect(out.endsWith('…')).toBe(true);
  });
});

describe('what receivers echo back', () => {
  it.each([
    ['SMTP 550 5.1.1 <wang.jun@jtj.gov.cn>: Recipient address rejected: User unknown', 'SMTP 550 5.1.1 <***@jtj.gov.cn>: Recipient address rejected: User unknown'],
    ['SMTP 452 4.5.3 Too many recipients: li.na+duban@mail.example.cn, zhou@unit.example.cn', 'SMTP 452 4.5.3 Too many recipients: ***@mail.example.cn, ***@unit.example.cn'],
    ['HTTP 500: mailbox "Deputy.Zhou@x.cn" full', 'HTTP 500: mailbox "***@x.cn" full'],
  ])('an e-mail address loses its mailbox name: %s', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it('a webhook URL\'s token-like path parts and query values are secrets of the endpoint', () => {
    const endpoint = { kind: 'webhook' as const, id: 'w', url: 'https://hooks.example.cn/services/T0001XYZ/B0002ABC/Xk29sLq81mZqv?auth=zz99yy88', secret: `whsec_${'A'.repeat(32)}` };
    const echoed = 'HTTP 500: upstream POST https://hooks.example.cn/services/T0001XYZ/B0002ABC/Xk29sLq81mZqv?auth=zz99yy88 failed; token Xk29sLq81mZqv expired';
    const out = redact(echoed, secretsOf(endpoint));
    for (const s of ['T0001XYZ', 'B0002ABC', 'Xk29sLq81mZqv', 'zz99yy88']) expect(out).not.toContain(s);
    expect(out).toContain('https://hooks.example.cn');
    expect(out).toContain('failed');
  });

  it('a webhook receiver\'s 500 that quotes the URL and a mailbox shows neither in the error', async () => {
    const url = 'https://hooks.example.cn/services/T0001XYZ/B0002ABC/Xk29sLq81mZqv';
    const body = `cannot forward to ${url} for wang.jun@jtj.gov.cn`;
    const channels = createChannels({ now: () => 0, fetch: (async () => new Response(body, { status: 500 })) as typeof fetch });
    const outcome = await channels.send(
      { deliveryId: 'd-1', title: 't', markdown: 'm', text: 't' },
      { kind: 'webhook', id: 'w', url, secret: `whsec_${Buffer.alloc(24, 7).toString('base64')}` },
    );
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.error).toContain('HTTP 500');
      for (const s of ['Xk29sLq81mZqv', 'T0001XYZ', 'wang.jun']) expect(outcome.error).not.toContain(s);
    }
  });
});
