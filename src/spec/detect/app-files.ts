import { readFile } from "node:fs/promises";
import { join } from "node:path";

/** Reads small text files of the app directory; a missing or unreadable file reads as undefined. */
export class AppFiles {
  constructor(private readonly dir: string) {}

  async text(name: string): Promise<string | undefined> {
    return readFile(join(this.dir, name), "utf8").catch(() => undefined);
  }

  async has(name: string): Promise<boolean> {
    return (await this.text(name)) !== undefined;
  }
}
