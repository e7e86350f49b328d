import { createHash, randomBytes, timingSafeEqual } from 'crypto';
import * as os from 'os';
import { CONTROL_PREFIX } from './control';

/**
 * Who may talk to a served emulator (see the README's threat model). Every request is
 * checked before its body is read:
 *
 * - `Host` must name the emulator's own address: a loopback name (`localhost`, `127.0.0.1`,
 *   `::1`), the address it listens on (every interface's, and the machine's name, when that
 *   is `0.0.0.0` or `::`), or a name given as `allowedHosts`. A page that rebinds its own
 *   DNS name to 127.0.0.1 sends that name, and is refused (403).
 * - A request with an `Origin` header is refused unless that origin is the emulator's own
 *   (`http://<one of those names>:<its port>`): browsers send `Origin` with cross-origin
 *   requests, also the "simple" `text/plain` POSTs a page may send without asking; the
 *   AWS SDKs send none.
 * - The control endpoints (`/_emulator/`) need `Authorization: Bearer <token>`, the token
 *   of this process (401 without it). It is never logged; the `emulator` command keeps it
 *   in a 0600 file for the other commands (`control-token.ts`).
 *
 * Service calls need no token: their SigV4 signature with the test credentials is what AWS
 * would check, and it is public by design (`access key test`).
 */

/** A refused request: the status and a message that names what was wrong (never the token). */
export interface Refusal {
  readonly status: 401 | 403;
  readonly message: string;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];
const WILDCARDS = ['0.0.0.0', '::', ''];

/** A new control token: 32 random bytes, base64url. */
export function newControlToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Whether `host` (an address or a name to listen on) reaches this machine only. */
export function isLoopback(host: string): boolean {
  const name = bare(host);
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/** The warning the emulator command prints when it listens beyond loopback, or undefined. */
export function exposureWarning(host: string): string | undefined {
  if (isLoopback(host)) return undefined;
  return (
    `warning: the emulator listens on ${host}, so other machines can reach it. Anyone who can reach it can call the emulated ` +
    'services with the public test credentials (access key "test"), read and change everything they hold, and run the ' +
    'provider functions deploy-local recorded; its control endpoints still need the control token. Listen on 127.0.0.1 ' +
    '(the default) unless this is a machine or network of your own.'
  );
}

/** The checks of one served emulator: its names, its port and its control token. */
export class Gate {
  private readonly names: ReadonlySet<string>;
  private readonly digest: Buffer;

  /**
   * @param host the address the server listens on
   * @param port the port it listens on
   * @param token the control token
   * @param allowedHosts further names clients use for it (a container's service name)
   */
  constructor(host: string, private readonly port: number, token: string, allowedHosts: readonly string[] = []) {
    const names = [...LOOPBACK_NAMES, bare(host), ...allowedHosts.map(bare)];
    if (WILDCARDS.includes(bare(host))) {
      names.push(os.hostname());
      for (const addresses of Object.values(os.networkInterfaces())) for (const a of addresses ?? []) names.push(a.address);
    }
    this.names = new Set(names.map((n) => n.toLowerCase()));
    this.digest = sha256(token);
  }

  /** Why a request is refused, or undefined when it may go on. */
  check(path: string, headers: Readonly<Record<string, string | string[] | undefined>>): Refusal | undefined {
    const host = typeof headers.host === 'string' ? headers.host : '';
    const hostname = bare(hostOf(host));
    if (!this.names.has(hostname.toLowerCase())) {
      return { status: 403, message: `Host ${JSON.stringify(hostname)} is not an address of this emulator (it answers ${[...this.names].join(', ')}): refused, as a page rebinding its DNS name to this machine would send it` };
    }
    const origin = headers.origin;
    if (origin !== undefined && !this.isOwnOrigin(String(origin))) {
      return { status: 403, message: `Origin ${JSON.stringify(String(origin))} is not this emulator's: a request a web page makes is refused` };
    }
    if (path.startsWith(CONTROL_PREFIX) && !this.hasToken(headers.authorization)) {
      return {
        status: 401,
        message:
          "the control endpoints need this emulator's control token (Authorization: Bearer <token>): the emulator command keeps it " +
          'in a file readable by its user only, which deploy-local and destroy-local --endpoint read (see the README)',
      };
    }
    return undefined;
  }

  private isOwnOrigin(origin: string): boolean {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false; // "null" (a sandboxed page, a file), or not a URL
    }
    return url.protocol === 'http:' && this.names.has(bare(url.hostname).toLowerCase()) && Number(url.port || 80) === this.port;
  }

  private hasToken(header: string | string[] | undefined): boolean {
    const given = typeof header === 'string' ? /^Bearer (\S+)$/.exec(header)?.[1] : undefined;
    return given !== undefined && timingSafeEqual(sha256(given), this.digest);
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** The host name of a `Host` header (`name:port`, `[v6]:port`). */
function hostOf(header: string): string {
  if (header.startsWith('[')) return header.slice(0, header.indexOf(']') + 1);
  const colon = header.lastIndexOf(':');
  return colon < 0 || header.indexOf(':') !== colon ? header : header.slice(0, colon);
}

/** A name without IPv6 brackets. */
function bare(name: string): string {
  return name.replace(/^\[(.*)\]$/, '$1');
}
