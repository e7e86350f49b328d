import * as http from 'http';
import { AddressInfo } from 'net';
import { control, CONTROL_PREFIX } from './control';
import { EmulatedServices, Emulator } from './emulator';
import { Gate, newControlToken, Refusal } from './gate';
import { EmulatorRequest, EmulatorResponse, jsonResponse, parseQuery } from './protocol';

/**
 * The emulator's one HTTP server for all services, plus its control endpoints under
 * `/_emulator/` (see `control.ts`). Before anything reads a request's body, the gate
 * (`gate.ts`) checks its `Host`, its `Origin` and, for the control endpoints, the control
 * token; a refused request is answered and its connection closed. Request bodies are
 * capped (`maxBodyBytes`): a declared `content-length` over the cap is refused at once, and
 * a body that grows past it while streaming stops being read; either way the answer is 413
 * and the connection is closed, so the rest of the body is never taken in.
 */

export interface ServeOptions {
  /** 0 picks a free port. @default 0 */
  readonly port?: number;
  /** The address to listen on; one other than loopback exposes the emulator to the network. @default '127.0.0.1' */
  readonly host?: string;
  /** The largest request body taken in (service calls and control endpoints alike), in bytes. @default 16 MiB */
  readonly maxBodyBytes?: number;
  /** Host names the emulator answers besides those of its own address (a container's service name). @default none */
  readonly allowedHosts?: readonly string[];
}

/** The default cap on request bodies: 16 MiB, far above any call the handler makes (S3 objects included). */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Thrown by `readRequest` when a body passes the cap. */
class BodyTooLarge extends Error {}

/** A started server and its emulator. */
export interface RunningEmulator<S extends EmulatedServices = EmulatedServices> {
  /** `http://host:port`, the endpoint override for every client. */
  readonly url: string;
  readonly port: number;
  readonly emulator: Emulator<S>;
  /** This server's control token, new for every `serve()`: `Authorization: Bearer <token>` on `/_emulator/` requests. A secret: never log it. */
  readonly controlToken: string;
  /** Stops the server and closes open (keep-alive) connections. Does not save the state. */
  close(): Promise<void>;
}

/** Starts the HTTP server around an emulator (127.0.0.1 and a free port by default). */
export async function serve<S extends EmulatedServices>(emulator: Emulator<S>, options: ServeOptions = {}): Promise<RunningEmulator<S>> {
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!(Number.isSafeInteger(maxBodyBytes) && maxBodyBytes >= 0)) throw new Error(`maxBodyBytes must be a non-negative integer, not ${maxBodyBytes}`);
  const controlToken = newControlToken();
  let gate: Gate | undefined;
  const server = http.createServer((req, res) => {
    const refused: Refusal | undefined = gate ? gate.check(pathOf(req.url), req.headers) : { status: 403, message: 'the emulator is starting' };
    if (refused) {
      refuse(req, res, jsonResponse(refused.status, { message: refused.message }, refused.status === 401 ? { 'www-authenticate': 'Bearer' } : {}));
      return;
    }
    onRequest(emulator, req, res, maxBodyBytes).catch((err: unknown) => {
      process.stderr.write(`emulator: ${req.method} ${req.url} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      if (!res.headersSent) write(res, jsonResponse(500, { message: 'emulator failure' }));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  gate = new Gate(host, port, controlToken, options.allowedHosts);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  // Functions that Lambda Invoke runs call the emulator back here.
  emulator.endpointUrl = url;
  return {
    url,
    port,
    emulator,
    controlToken,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function onRequest(emulator: Emulator, req: http.IncomingMessage, res: http.ServerResponse, maxBodyBytes: number): Promise<void> {
  let request: EmulatorRequest;
  try {
    request = await readRequest(req, maxBodyBytes);
  } catch (err) {
    if (!(err instanceof BodyTooLarge)) throw err;
    refuse(req, res, jsonResponse(413, { message: err.message }));
    return;
  }
  if (request.path.startsWith(CONTROL_PREFIX)) {
    write(res, control(emulator, request));
    return;
  }
  const response = await emulator.handle(request);
  if (response.drop) {
    // drop-after-commit: the operation ran; the client sees the connection reset.
    req.socket.destroy();
    return;
  }
  write(res, response);
}

/** Answers, then closes the connection: the unread rest of the body is dropped with it. */
function refuse(req: http.IncomingMessage, res: http.ServerResponse, response: EmulatorResponse): void {
  res.shouldKeepAlive = false;
  res.writeHead(response.status, { ...response.headers, connection: 'close', 'content-length': String(Buffer.byteLength(response.body)) });
  res.end(response.body, () => req.socket.destroy());
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  return q < 0 ? raw : raw.slice(0, q);
}

function readRequest(req: http.IncomingMessage, maxBodyBytes: number): Promise<EmulatorRequest> {
  return new Promise((resolve, reject) => {
    const tooLarge = (size: string) => new BodyTooLarge(`Request body too large: ${size} exceeds the emulator's limit of ${maxBodyBytes} bytes (option maxBodyBytes)`);
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > maxBodyBytes) {
      reject(tooLarge(`content-length ${declared}`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        req.off('data', onData);
        req.pause();
        chunks.length = 0;
        reject(tooLarge(`more than ${maxBodyBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('error', reject);
    req.on('end', () => {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
      }
      resolve({
        method: req.method ?? 'GET',
        path: pathOf(url),
        query: q < 0 ? {} : parseQuery(url.slice(q + 1)),
        headers,
        body: Buffer.concat(chunks),
      });
    });
  });
}

function write(res: http.ServerResponse, response: EmulatorResponse): void {
  const headers = { ...response.headers };
  // HEAD answers keep the object's length; 204 answers carry no length at all.
  if (response.status !== 204) headers['content-length'] ??= String(Buffer.byteLength(response.body));
  res.writeHead(response.status, headers);
  res.end(response.body);
}
