import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";

/**
 * The client's request body as handed to one upstream attempt. It pulls from the client only
 * when the upstream connection reads, so `started` tells whether the body began to go upstream
 * (after which a failed attempt must not be retried: it cannot be replayed). Destroying it (undici does on a failed
 * attempt) detaches it without destroying the client's request, so a retry can take over.
 */
export class ClientBody extends Readable {
  started = false;
  private readonly source: IncomingMessage;
  private attached = false;

  constructor(source: IncomingMessage) {
    super();
    this.source = source;
    this.onData = this.onData.bind(this);
    this.onEnd = this.onEnd.bind(this);
    this.onError = this.onError.bind(this);
  }

  override _read(): void {
    this.started = true;
    if (!this.attached) {
      this.attached = true;
      this.source.on("data", this.onData);
      this.source.on("end", this.onEnd);
      this.source.on("error", this.onError);
    }
    this.source.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.detach();
    callback(error);
  }

  private onData(chunk: Buffer): void {
    if (!this.push(chunk)) {
      this.source.pause();
    }
  }

  private onEnd(): void {
    this.detach();
    this.push(null);
  }

  private onError(error: Error): void {
    this.destroy(error);
  }

  private detach(): void {
    if (this.attached) {
      this.attached = false;
      this.source.off("data", this.onData);
      this.source.off("end", this.onEnd);
      this.source.off("error", this.onError);
      this.source.pause();
    }
  }
}

/** Whether the request carries a body at all (GET and HEAD normally do not). */
export function hasRequestBody(request: IncomingMessage): boolean {
  const length = request.headers["content-length"];
  return (length !== undefined && length !== "0") || request.headers["transfer-encoding"] !== undefined;
}
