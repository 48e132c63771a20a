import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { FakeSlack } from './fake-slack';

/** The envelope types Slack sends over Socket Mode. */
export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

/** Why Slack sends `disconnect`: a refresh (every few hours), its warning ~10 s before, or the app turned off. */
export type DisconnectReason = 'refresh_requested' | 'warning' | 'link_disabled';

/** An ack the app sent for an envelope. */
export interface SocketAck {
  envelopeId: string;
  /** The ack's payload (`{}` for a bare ack); what a listener's `ack(...)` answered. */
  payload: Record<string, unknown>;
  at: number;
}

/** One WebSocket connection the app opened. */
export interface SocketConnection {
  /** 1 for the first connection, 2 for the next … */
  index: number;
  ticket: string;
  openedAt: number;
  /** Set once `hello` went out: from then on the app may be sent envelopes. */
  helloAt?: number;
  /** Set once the connection has closed, for whichever reason. */
  closedAt?: number;
}

/** A fake of Slack's Socket Mode WebSocket endpoint, handed out by the fake Web API's apps.connections.open. */
export interface FakeSocketMode {
  /** Every connection the app opened with a valid ticket, in order. */
  readonly connections: readonly SocketConnection[];
  /** Every ack received, in order. */
  readonly acks: readonly SocketAck[];
  /** Resolves once the `index`-th connection (1-based) is open and has been sent `hello`. */
  waitForConnection(index: number, timeoutMs?: number): Promise<SocketConnection>;
  /** Sends an envelope on the newest open connection; resolves with its ack, rejects when none comes in time. */
  send(type: EnvelopeType, payload: Record<string, unknown>, timeoutMs?: number): Promise<SocketAck>;
  /** Sends `{type: "disconnect", reason}` on the newest open connection, as Slack does before recycling it. */
  disconnect(reason: DisconnectReason): void;
  /** Cuts the newest open connection without a close frame, as a network failure would. */
  drop(): void;
  /** Opens the next `count` connections without sending `hello`. */
  withholdHello(count: number): void;
  /** Closes every connection and the server. */
  close(): Promise<void>;
}

/**
 * Starts a fake Socket Mode server on 127.0.0.1 and points `slack`'s apps.connections.open at it. Like Slack, each
 * URL carries a single-use ticket (a reused or unknown one is refused with 401), every connection starts with
 * `hello`, and each envelope waits for an ack carrying its envelope_id.
 */
export async function startFakeSocketMode(slack: FakeSlack): Promise<FakeSocketMode> {
  const connections: SocketConnection[] = [];
  const acks: SocketAck[] = [];
  const open = new Map<SocketConnection, WebSocket>();
  const issued = new Set<string>();
  const waiters = new Set<() => void>();
  const pendingAcks = new Map<string, (ack: SocketAck) => void>();
  let helloToWithhold = 0;
  const wakeAll = () => {
    for (const wake of [...waiters]) wake();
  };

  const wss = new WebSocketServer({ noServer: true });
  const server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' });
    res.end('upgrade required');
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const ticket = new URL(req.url ?? '/', 'ws://localhost').searchParams.get('ticket') ?? '';
    if (!issued.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, ticket));
  });

  const accept = (ws: WebSocket, ticket: string) => {
    const connection: SocketConnection = { index: connections.length + 1, ticket, openedAt: Date.now() };
    connections.push(connection);
    open.set(connection, ws);
    ws.on('message', (data) => {
      let message: { envelope_id?: unknown; payload?: unknown };
      try {
        message = JSON.parse(String(data)) as typeof message;
      } catch {
        return;
      }
      if (typeof message.envelope_id !== 'string') return;
      const payload =
        typeof message.payload === 'object' && message.payload !== null
          ? (message.payload as Record<string, unknown>)
          : {};
      const ack: SocketAck = { envelopeId: message.envelope_id, payload, at: Date.now() };
      acks.push(ack);
      pendingAcks.get(ack.envelopeId)?.(ack);
    });
    ws.on('close', () => {
      connection.closedAt = Date.now();
      open.delete(connection);
    });
    if (helloToWithhold > 0) {
      helloToWithhold -= 1;
      return;
    }
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: open.size,
        debug_info: { host: 'fake-socket-mode', approximate_connection_time: 18060 },
        connection_info: { app_id: 'A1' },
      }),
      () => {
        connection.helloAt = Date.now();
        wakeAll();
      },
    );
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  slack.setSocketModeUrls(() => {
    const ticket = randomUUID();
    issued.add(ticket);
    return `ws://127.0.0.1:${port}/link/?ticket=${ticket}&app_id=A1`;
  });

  const newest = (): WebSocket => {
    const live = [...open].filter(([c]) => c.helloAt !== undefined);
    const ws = live.at(-1)?.[1];
    if (!ws) throw new Error(`fake Socket Mode: no open connection (${connections.length} opened so far)`);
    return ws;
  };

  return {
    connections,
    acks,
    waitForConnection: (index, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const wake = () => {
          const c = connections[index - 1];
          if (c?.helloAt === undefined) return;
          waiters.delete(wake);
          clearTimeout(timer);
          resolve(c);
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(
            new Error(
              `fake Socket Mode: connection ${index} not open within ${timeoutMs} ms ` +
                `(${connections.length} opened; apps.connections.open called ${slack.callsTo('apps.connections.open').length}×)`,
            ),
          );
        }, timeoutMs);
        waiters.add(wake);
        wake();
      }),
    send: (type, payload, timeoutMs = 5_000) => {
      const ws = newest();
      const envelopeId = randomUUID();
      return new Promise<SocketAck>((resolve, reject) => {
        const timer = setTimeout(() => {
          pendingAcks.delete(envelopeId);
          reject(new Error(`fake Socket Mode: no ack for the ${type} envelope ${envelopeId} within ${timeoutMs} ms`));
        }, timeoutMs);
        pendingAcks.set(envelopeId, (ack) => {
          clearTimeout(timer);
          pendingAcks.delete(envelopeId);
          resolve(ack);
        });
        ws.send(
          JSON.stringify({
            envelope_id: envelopeId,
            type,
            payload,
            accepts_response_payload: type !== 'events_api',
            ...(type === 'events_api' ? { retry_attempt: 0, retry_reason: '' } : {}),
          }),
        );
      });
    },
    disconnect: (reason) => {
      newest().send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'fake-socket-mode' } }));
    },
    drop: () => {
      newest().terminate();
    },
    withholdHello: (count) => {
      helloToWithhold += count;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const ws of open.values()) ws.terminate();
        wss.close();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
