// Grows its memory by STEP_MIB every 20 ms, touching every page, until something stops it.
const step = Number(process.env.STEP_MIB ?? 8) * 1024 * 1024;
const kept = [];
setInterval(() => {
  kept.push(Buffer.alloc(step, 1));
  console.log(`allocated ${(kept.length * step) / 1024 / 1024} MiB`);
}, 20);
