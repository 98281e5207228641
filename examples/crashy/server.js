// crashy: exits as soon as it starts, to show CrashLoopBackOff: Slipway restarts it after 10 s,
// 20 s, 40 s … (capped at 5 min) and `slipway status` shows the exit code and its last words.
console.log("crashy starting");
console.error("fatal: DATABASE_URL is not set");
process.exit(1);
