import * as http from 'http';
import { AddressInfo } from 'net';
import { EmulatedServices, Emulator } from './emulator';
import { FaultSpec } from './faults';
import { EmulatorRequest, EmulatorResponse, isRecord, jsonResponse, parseJsonBody, parseQuery, queryValue } from './protocol';

/**
 * The emulator's one HTTP server for all services, plus its control endpoints under
 * `/_emulator/` (no signature needed):
 *
 *   GET    /_emulator/calls[?detail=1]   call log (requests included with detail=1)
 *   DELETE /_emulator/calls              clear the call log
 *   POST   /_emulator/reset              back to a fresh emulator
 *   GET    /_emulator/faults             faults in force
 *   POST   /_emulator/faults             add one: {operation, kind, count?, after?, rate?, ms?, service?, seed?}
 *   DELETE /_emulator/faults             clear them
 *   GET    /_emulator/state              export the state
 *   PUT    /_emulator/state              import a state
 */

export interface ServeOptions {
  /** 0 picks a free port. @default 0 */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
}

export interface RunningEmulator<S extends EmulatedServices = EmulatedServices> {
  /** `http://host:port`, the endpoint override for every client. */
  readonly url: string;
  readonly port: number;
  readonly emulator: Emulator<S>;
  /** Stops the server and closes open (keep-alive) connections. Does not save the state. */
  close(): Promise<void>;
}

const CONTROL_PREFIX = '/_emulator/';

export async function serve<S extends EmulatedServices>(emulator: Emulator<S>, options: ServeOptions = {}): Promise<RunningEmulator<S>> {
  const host = options.host ?? '127.0.0.1';
  const server = http.createServer((req, res) => {
    onRequest(emulator, req, res).catch((err: unknown) => {
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
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    emulator,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function onRequest(emulator: Emulator, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const request = await readRequest(req);
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

function readRequest(req: http.IncomingMessage): Promise<EmulatorRequest> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
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
        path: q < 0 ? url : url.slice(0, q),
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

function control(emulator: Emulator, req: EmulatorRequest): EmulatorResponse {
  const route = `${req.method} ${req.path.slice(CONTROL_PREFIX.length).replace(/\/$/, '')}`;
  switch (route) {
    case 'GET calls': {
      const detail = queryValue(req.query, 'detail');
      const calls = emulator.calls();
      return jsonResponse(200, detail === '1' || detail === 'true' ? calls : calls.map(({ request: _request, ...call }) => call));
    }
    case 'DELETE calls':
      emulator.clearCalls();
      return jsonResponse(200, {});
    case 'POST reset':
      emulator.reset();
      return jsonResponse(200, {});
    case 'GET faults':
      return jsonResponse(200, emulator.listFaults());
    case 'POST faults': {
      const spec = parseJsonBody(req.body);
      if (!isRecord(spec)) return jsonResponse(400, { message: 'expected a JSON fault: {operation, kind, count?, after?, rate?, ms?, service?, seed?}' });
      try {
        emulator.addFault(spec as unknown as FaultSpec);
      } catch (err) {
        return jsonResponse(400, { message: err instanceof Error ? err.message : String(err) });
      }
      return jsonResponse(200, emulator.listFaults());
    }
    case 'DELETE faults':
      emulator.clearFaults();
      return jsonResponse(200, {});
    case 'GET state':
      return jsonResponse(200, emulator.exportState());
    case 'PUT state':
      try {
        emulator.importState(parseJsonBody(req.body));
      } catch (err) {
        return jsonResponse(400, { message: err instanceof Error ? err.message : String(err) });
      }
      return jsonResponse(200, {});
    default:
      return jsonResponse(404, { message: `no control endpoint ${req.method} ${req.path}` });
  }
}
