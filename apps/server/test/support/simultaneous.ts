import { connect, type Socket } from "node:net";

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: any;
}

/**
 * Sends `count` copies of one request at the same instant: every connection is opened first, then all
 * requests are written in one synchronous loop, so the server receives them together. (fetch from the
 * test process spreads them out, and a fast server finishes the first before the next arrives.)
 */
export async function sendSimultaneously(
  baseUrl: string,
  count: number,
  request: { method: string; path: string; headers: Record<string, string>; body?: unknown },
): Promise<RawAnswer[]> {
  const url = new URL(baseUrl);
  const body = request.body === undefined ? "" : JSON.stringify(request.body);
  const head = [
    `${request.method} ${request.path} HTTP/1.1`,
    `Host: ${url.host}`,
    "Connection: close",
    ...Object.entries({ ...request.headers, ...(body ? { "content-type": "application/json" } : {}) }).map(
      ([name, value]) => `${name}: ${value}`,
    ),
    `Content-Length: ${Buffer.byteLength(body)}`,
  ].join("\r\n");
  const raw = `${head}\r\n\r\n${body}`;

  const sockets = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Socket>((resolve, reject) => {
          const socket = connect(Number(url.port), url.hostname, () => resolve(socket));
          socket.once("error", reject);
        }),
    ),
  );
  const answers = sockets.map(
    (socket) =>
      new Promise<RawAnswer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        socket.on("data", (chunk: Buffer) => chunks.push(chunk));
        socket.once("error", reject);
        socket.once("end", () => resolve(parseAnswer(Buffer.concat(chunks).toString("utf8"))));
      }),
  );
  for (const socket of sockets) socket.write(raw);
  return Promise.all(answers);
}

function parseAnswer(text: string): RawAnswer {
  const split = text.indexOf("\r\n\r\n");
  const [statusLine, ...headerLines] = text.slice(0, split).split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let payload = text.slice(split + 4);
  if (headers["transfer-encoding"] === "chunked") payload = dechunk(payload);
  return { status: Number(statusLine!.split(" ")[1]), headers, body: payload ? JSON.parse(payload) : undefined };
}

function dechunk(payload: string): string {
  let out = "";
  let rest = payload;
  for (;;) {
    const lineEnd = rest.indexOf("\r\n");
    const size = Number.parseInt(rest.slice(0, lineEnd), 16);
    if (!size) return out;
    out += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
}
