import { redact } from '../../activities/delivery/redact';

describe('redact', () => {
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
