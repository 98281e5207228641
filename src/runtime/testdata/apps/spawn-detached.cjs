// Starts a grandchild in a new session (outside the replica's process group) that ignores
// SIGTERM and serves on PORT, prints its pid, then waits.
const { spawn } = require("node:child_process");

const child = spawn(process.execPath, [`${__dirname}/ignore-sigterm.cjs`], { detached: true, stdio: "inherit" });
console.log(`grandchild ${child.pid}`);
process.on("SIGTERM", () => process.exit(0));
setInterval(() => {}, 1000);
