import { defaultProvider } from '../../lambda/core/lambda-credentials';

describe('the bundled handler credential provider (environment only)', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('reads the Lambda runtime variables, session token included', async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalr', AWS_SESSION_TOKEN: 'tok' });
    await expect(defaultProvider()()).resolves.toEqual({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalr', sessionToken: 'tok' });
  });

  test('fails clearly without them', async () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    await expect(defaultProvider()()).rejects.toThrow('no AWS credentials in the environment');
  });
});
