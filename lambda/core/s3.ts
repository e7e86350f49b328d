import { CallObserver } from './observer';
import { sendRead } from './read-retry';
import { credentialProvider, Credentials, sendSigned } from './signed-http';

/**
 * Reads one object (an asset the construct uploaded, such as a users file) with a signed
 * GET, so the handler bundle does not carry the whole S3 client. Honours
 * `AWS_ENDPOINT_URL_S3` (path-style addressing) like the AWS SDKs do.
 */
export class S3ObjectReader {
  private readonly credentials;
  constructor(private readonly config: { region: string; credentials?: Credentials; observer?: CallObserver; endpoint?: string }) {
    this.credentials = credentialProvider(config.credentials);
  }

  async getObjectText(bucket: string, key: string): Promise<string> {
    return (await this.getObject(bucket, key)).toString('utf8');
  }

  /** The object's bytes (a ZIP archive is read as bytes, never as text). */
  async getObject(bucket: string, key: string): Promise<Buffer> {
    const endpoint = this.config.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
    const path = key.split('/').map(encodeURIComponent).join('/');
    const url = endpoint
      ? new URL(`${endpoint.replace(/\/$/, '')}/${encodeURIComponent(bucket)}/${path}`)
      : new URL(`https://${bucket}.s3.${this.config.region}.amazonaws.com/${path}`);
    return sendRead({ service: 'S3', operation: 'GetObject', observer: this.config.observer }, async (timeoutMs) => {
      const res = await sendSigned({ method: 'GET', url, service: 's3', region: this.config.region, unsignedPayload: true }, this.credentials, timeoutMs);
      if (res.status !== 200) {
        const code = /<Code>([^<]+)<\/Code>/.exec(res.body.toString('utf8'))?.[1] ?? 'Error';
        throw Object.assign(new Error(`GetObject s3://${bucket}/${key} answered HTTP ${res.status}`), {
          name: code,
          $service: 'S3',
          $metadata: { httpStatusCode: res.status },
        });
      }
      return { status: res.status, value: res.body };
    });
  }
}
