// Writes about 50 MB/s to stdout for FLOOD_SECONDS seconds (1 KiB lines), then exits.
const line = `${"y".repeat(1023)}\n`;
const chunk = line.repeat(512); // 512 KiB
const until = Date.now() + Number(process.env.FLOOD_SECONDS ?? 2) * 1000;
let written = 0;
const timer = setInterval(() => {
  if (Date.now() >= until) {
    clearInterval(timer);
    console.error(`wrote ${written} bytes`);
    return;
  }
  process.stdout.write(chunk);
  written += chunk.length;
}, 10);
