import { createHmac } from 'node:crypto';
import { signWebhook } from './webhook-signature.js';

describe('signWebhook', () => {
  it('signs timestamp and body so a receiver can verify both with the documented recipe', () => {
    const header = signWebhook('whsec_test', '{"a":1}', 1_700_000_000);
    const [t, v1] = header.split(',').map((part) => part.split('=')[1]);
    expect(t).toBe('1700000000');
    expect(v1).toBe(createHmac('sha256', 'whsec_test').update('1700000000.{"a":1}').digest('hex'));
    expect(signWebhook('whsec_other', '{"a":1}', 1_700_000_000)).not.toBe(header);
    expect(signWebhook('whsec_test', '{"a":2}', 1_700_000_000)).not.toBe(header);
  });
});
