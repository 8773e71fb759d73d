import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, verifyOutboxSignature } from '../src/outbox/outbox.signature.js';

/**
 * The "other service" told of money events: checks each delivery's signature and counts the
 * deliveries per event id (at least once is the promise; duplicates are the receiver's to drop).
 */
export class OutboxReceiver {
  readonly received = new Map<string, number>();
  badSignatures = 0;
  readonly #server: http.Server;

  private constructor(secret: string) {
    this.#server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const eventId = req.headers[EVENT_ID_HEADER];
        if (!verifyOutboxSignature([secret], req.headers[SIGNATURE_HEADER] as string | undefined, body) || typeof eventId !== 'string') {
          this.badSignatures += 1;
          res.writeHead(401).end();
          return;
        }
        this.received.set(eventId, (this.received.get(eventId) ?? 0) + 1);
        res.writeHead(204).end();
      });
    });
  }

  static async start(secret: string): Promise<OutboxReceiver> {
    const receiver = new OutboxReceiver(secret);
    await new Promise<void>((resolve) => receiver.#server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/events`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
