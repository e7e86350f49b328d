import { createLogger, redact, REDACTED } from '../../lambda/core/log';
import { fitResponse, MAX_RESPONSE_BYTES } from '../../lambda/core/response';
import { requestToken } from '../../lambda/core/tokens';

const source = { StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/s/1', LogicalResourceId: 'Ops', RequestId: 'r-1' };

describe('idempotency tokens', () => {
  test('the same request and purpose always derive the same token, within both services\' patterns', () => {
    const token = requestToken(source, 'create');
    expect(requestToken({ ...source }, 'create')).toBe(token);
    expect(token).toMatch(/^[a-zA-Z0-9-_:]{1,64}$/); // Wickr X-Client-Token
    expect(token).toMatch(/^[-_a-zA-Z0-9]{2,64}$/); // Chime ClientRequestToken
  });

  test('another request, resource, purpose or batch index derives another token', () => {
    const token = requestToken(source, 'create', 0);
    expect(new Set([
      token,
      requestToken({ ...source, RequestId: 'r-2' }, 'create', 0),
      requestToken({ ...source, LogicalResourceId: 'Other' }, 'create', 0),
      requestToken(source, 'update', 0),
      requestToken(source, 'create', 1),
    ]).size).toBe(5);
  });
});

describe('response size', () => {
  const base = { Status: 'SUCCESS' as const, PhysicalResourceId: 'p', StackId: 's', RequestId: 'r', LogicalResourceId: 'l' };

  test('a long reason is shortened to fit 4096 bytes', () => {
    const fitted = fitResponse({ ...base, Status: 'FAILED', Reason: 'x'.repeat(10_000) });
    expect(Buffer.byteLength(JSON.stringify(fitted))).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    expect(fitted.Status).toBe('FAILED');
    expect(fitted.Reason).toMatch(/^x+ \.\.\. \(truncated, see the logs\)$/);
  });

  test('Data that cannot fit fails the response instead of being cut', () => {
    const fitted = fitResponse({ ...base, Data: { Big: 'y'.repeat(5000) } });
    expect(fitted.Status).toBe('FAILED');
    expect(fitted.Data).toBeUndefined();
    expect(fitted.Reason).toContain("over CloudFormation's 4096-byte limit");
  });

  test('a response that fits is unchanged', () => {
    const response = { ...base, Data: { NetworkId: '12345678' } };
    expect(fitResponse(response)).toBe(response);
  });
});

describe('logs', () => {
  test('members the models mark sensitive are redacted at any depth and in any case', () => {
    const out = redact({
      ResponseURL: 'https://presigned',
      properties: { FirstName: 'Ada', challenge: 'c', Users: [{ lastName: 'L', username: 'ada@example.com' }] },
      EndpointAttributes: { DeviceToken: 'dt' },
    }) as any;
    expect(out.ResponseURL).toBe(REDACTED);
    expect(out.properties.FirstName).toBe(REDACTED);
    expect(out.properties.challenge).toBe(REDACTED);
    expect(out.properties.Users[0].lastName).toBe(REDACTED);
    expect(out.properties.Users[0].username).toBe('ada@example.com');
    expect(out.EndpointAttributes.DeviceToken).toBe(REDACTED);
  });

  test('one JSON line per event', () => {
    const lines: string[] = [];
    createLogger({ requestId: 'r' }, (l) => lines.push(l)).log('info', 'api call', { clientSecret: 's3cr3t', ms: 3 });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toEqual({ level: 'info', message: 'api call', requestId: 'r', clientSecret: REDACTED, ms: 3 });
  });
});
