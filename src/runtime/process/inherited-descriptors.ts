import { closeSync, readdirSync, readFileSync } from "node:fs";

/** Linux's O_CLOEXEC, as /proc/PID/fdinfo's octal `flags:` shows it. */
const O_CLOEXEC = 0o2000000;

/**
 * Closes the descriptors above stderr that this process inherited open across exec: whatever the
 * platform's own parent left it (a shell's pipe, a terminal), which the platform's children pass
 * on, would reach every replica. Node marks its own descriptors close-on-exec, so only the
 * inherited ones are left open across exec. Returns the descriptors it closed.
 */
export function closeInheritedDescriptors(fdinfoDir = "/proc/self/fdinfo"): number[] {
  const closed: number[] = [];
  let names: string[];
  try {
    names = readdirSync(fdinfoDir);
  } catch {
    return closed;
  }
  for (const name of names) {
    const fd = Number(name);
    if (!Number.isInteger(fd) || fd <= 2) {
      continue;
    }
    try {
      const flags = /^flags:\s+([0-7]+)/m.exec(readFileSync(`${fdinfoDir}/${fd}`, "utf8"))?.[1];
      if (flags !== undefined && (Number.parseInt(flags, 8) & O_CLOEXEC) === 0) {
        closeSync(fd);
        closed.push(fd);
      }
    } catch {
      // Closed meanwhile (the descriptor of the directory listing itself, for one).
    }
  }
  return closed;
}
