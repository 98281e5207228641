let cachedSecond = -1;
let cachedDate = "";

/** The current time as an HTTP date (`Tue, 01 Dec 2026 18:22:45 GMT`), formatted once a second. */
export function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedDate = new Date(now).toUTCString();
  }
  return cachedDate;
}
