/**
 * A first-come, first-served lock for async code: `lock()` resolves once every earlier holder has
 * called the release function it was given.
 */
export class AsyncMutex {
  #tail: Promise<void> = Promise.resolve();

  /** Waits for the lock and returns the function that releases it (call it exactly once). */
  async lock(): Promise<() => void> {
    let release = (): void => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = this.#tail;
    this.#tail = previous.then(() => released);
    await previous;
    let done = false;
    return () => {
      // A second call must not release a later holder's turn.
      if (!done) {
        done = true;
        release();
      }
    };
  }
}
