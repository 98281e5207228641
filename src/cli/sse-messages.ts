import { type SseMessage, SseParser } from "./sse-parser.js";

/**
 * The server-sent events of an open response, one by one, until the server closes the stream.
 * Comments (heartbeats) are skipped by the parser.
 *
 * @example for await (const message of sseMessages(response)) { if (message.event === "end") break; }
 */
export async function* sseMessages(response: Response): AsyncGenerator<SseMessage> {
  if (!response.body) {
    return;
  }
  const parser = new SseParser();
  const decoder = new TextDecoder();
  for await (const chunk of response.body) {
    yield* parser.push(decoder.decode(chunk, { stream: true }));
  }
}
