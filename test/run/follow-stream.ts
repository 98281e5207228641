/** A server-sent event stream opened by a test, its text collected as it arrives. */
export interface FollowedStream {
  status: number;
  /** Everything received so far. */
  text(): string;
  /** Closes the stream and waits for the reader to end. */
  close(): Promise<void>;
}

/** GETs `url` with a bearer token and collects the response body until closed. */
export async function followStream(url: string, token: string): Promise<FollowedStream> {
  const aborter = new AbortController();
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: aborter.signal });
  let received = "";
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      received += decoder.decode(chunk, { stream: true });
    }
  })().catch(() => undefined);
  return {
    status: res.status,
    text: () => received,
    close: async () => {
      aborter.abort();
      await reading;
    },
  };
}
