// A JSON SMS gateway on a loopback port (node:http), as workers/sms/providers/http.ts expects
// one: records every request (its Authorization and messages) and answers as told.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GatewayMessage {
  readonly reference: string;
  readonly from: string;
  readonly to: string;
  readonly text: string;
  readonly encoding: string;
}

export interface GatewayRequest {
  readonly authorization: string | undefined;
  readonly messages: readonly GatewayMessage[];
}

export interface GatewayAnswer {
  readonly status: number;
  readonly body?: unknown;
}

export interface TestGateway {
  readonly url: string;
  readonly requests: GatewayRequest[];
  /** How to answer the n-th request (from 0); default: acceptAll. */
  answer: (messages: readonly GatewayMessage[], n: number) => GatewayAnswer;
  /** 200, every message accepted with a fresh id gw-<k>. */
  acceptAll(messages: readonly GatewayMessage[]): GatewayAnswer;
  /** Waits this long before answering (a slow gateway). */
  delayMs: number;
  /** The messages the gateway accepted, with the id it gave each. */
  readonly accepted: Array<GatewayMessage & { id: string }>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startGateway(): Promise<TestGateway> {
  let ids = 0;
  const server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      const { messages } = JSON.parse(raw) as { messages: GatewayMessage[] };
      gateway.requests.push({ authorization: req.headers.authorization, messages });
      const answer = gateway.answer(messages, gateway.requests.length - 1);
      const results = (answer.body as { results?: Array<{ reference: string; id?: string; status: string }> } | undefined)?.results ?? [];
      for (const m of messages) {
        const id = results.find((r) => r.reference === m.reference && r.status === 'accepted')?.id;
        if (answer.status === 200 && id !== undefined) gateway.accepted.push({ ...m, id });
      }
      const reply = () => res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body === undefined ? '' : JSON.stringify(answer.body));
      if (gateway.delayMs > 0) setTimeout(reply, gateway.delayMs);
      else reply();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const gateway: TestGateway = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/messages`,
    requests: [],
    answer: (messages) => gateway.acceptAll(messages),
    acceptAll: (messages) => ({
      status: 200,
      body: { results: messages.map((m) => ({ reference: m.reference, id: `gw-${++ids}`, status: 'accepted' })) },
    }),
    accepted: [],
    delayMs: 0,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return gateway;
}
