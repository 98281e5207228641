/**
 * C0 controls but tab (U+0000–U+0008, U+000A–U+001F), DEL (U+007F) and C1 controls
 * (U+0080–U+009F): what a terminal obeys instead of printing; and the bidirectional embeddings,
 * overrides and isolates (U+202A–U+202E, U+2066–U+2069), which reorder what follows on screen
 * ("Trojan Source").
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL_CHARS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text that came from an app (its log lines, its build output, a reason quoting them), made safe
 * to print for people: control characters are shown rather than obeyed, so an app cannot set the
 * terminal's title, clear the screen, move the cursor or colour fake output. Tabs are kept. A C0
 * control or DEL reads `\x1b`, a C1 control `\u009b`, as in a JavaScript or shell `$'…'` string.
 * Machine output (`--json`) keeps the exact text instead: JSON escapes control characters itself.
 *
 * @example escapeControlChars("\x1b]0;PWNED\x07ok\tdone") // "\\x1b]0;PWNED\\x07ok\tdone"
 */
export function escapeControlChars(text: string): string {
  return text.replace(CONTROL_CHARS, (char) => {
    const code = char.charCodeAt(0);
    return code < 0x80
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}
