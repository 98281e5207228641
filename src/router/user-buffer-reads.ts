import { Socket } from "node:net";

/** The private slots net.Socket keeps its `onread` option in (they exist on every socket). */
const slots = (() => {
  const symbols = Object.getOwnPropertySymbols(new Socket());
  const find = (name: string) => symbols.find((symbol) => symbol.description === name);
  const buffer = find("kBuffer");
  const callback = find("kBufferCb");
  const generator = find("kBufferGen");
  return buffer && callback && generator ? { buffer, callback, generator } : undefined;
})();

/**
 * Whether `readIntoBuffer` may be used at all. Only tests turn it off, to run the 'data'
 * fallback that Node versions without the private slots get.
 */
export const userBufferReads = { enabled: true };

interface UserBufferHandle {
  useUserBuffer(buffer: Uint8Array): void;
}

/**
 * Makes a socket a server accepted read into `buffer` and call `onRead(length)` instead of
 * emitting 'data', as `net.connect({ onread })` does for outgoing sockets: no allocation and no
 * stream machinery per read (net.Server has no such option). The socket must have been accepted
 * paused (`pauseOnConnect`); it is resumed here. `onRead` returns false to pause reading.
 *
 * This sets net.Socket's private `onread` slots, so it is checked on every Node version it runs
 * on: where the slots or the handle's `useUserBuffer` are missing, it returns false and the
 * caller listens to 'data' as usual.
 */
export function readIntoBuffer(socket: Socket, buffer: Buffer, onRead: (length: number) => boolean): boolean {
  const handle = (socket as unknown as { _handle?: Partial<UserBufferHandle> })._handle;
  if (!userBufferReads.enabled || slots === undefined || typeof handle?.useUserBuffer !== "function") {
    return false;
  }
  const target = socket as unknown as Record<symbol, unknown>;
  target[slots.buffer] = buffer;
  target[slots.callback] = onRead;
  target[slots.generator] = null;
  handle.useUserBuffer(buffer);
  return true;
}

/** Whether this Node lets `readIntoBuffer` work. */
export const userBufferReadsAvailable = slots !== undefined;

/**
 * Turns a socket that `readIntoBuffer` set up back into an ordinary stream (a WebSocket tunnel
 * pipes it): each read is copied out of the shared buffer and pushed, so 'data', pipe and
 * backpressure work as usual.
 */
export function streamReadsFrom(socket: Socket, buffer: Buffer): void {
  if (slots === undefined) {
    return;
  }
  (socket as unknown as Record<symbol, unknown>)[slots.callback] = (length: number) =>
    socket.push(Buffer.from(buffer.subarray(0, length)));
}
