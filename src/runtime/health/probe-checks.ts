import { spawn } from "node:child_process";
import { request } from "node:http";
import { connect } from "node:net";
import { findSetpriv, shellInCgroupsAs } from "../process/run-as.js";
import type { ProbeCheck, ProbeResult, ProbeTarget } from "./probe.js";

/** Longest command output kept in a probe's message. */
const OUTPUT_LIMIT = 512;

/**
 * Runs one check once, failing it when it takes longer than `timeoutMs`. Never rejects: every
 * problem is a failed result with a message.
 *
 * @example
 * await runCheck({ type: "http", path: "/healthz" }, { port: 8080 }, 1000) // { ok: true, message: "HTTP 200" }
 */
export function runCheck(check: ProbeCheck, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  switch (check.type) {
    case "http":
      return httpCheck(target.host ?? "127.0.0.1", check.port ?? target.port, check.path, timeoutMs);
    case "tcp":
      return tcpCheck(target.host ?? "127.0.0.1", check.port ?? target.port, timeoutMs);
    case "command":
      return commandCheck(check.command, target, timeoutMs);
    case "running":
      // The prober only checks a replica that has not exited.
      return Promise.resolve({ ok: true, message: "still running" });
  }
}

/** GET the path; 200-399 passes, like Kubernetes. */
function httpCheck(host: string, port: number, path: string, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ ok: false, message: `GET ${path}: timed out after ${timeoutMs} ms` });
    }, timeoutMs);
    const req = request(
      {
        host,
        port,
        path,
        method: "GET",
        agent: false,
        headers: { "user-agent": "slipway-probe", connection: "close" },
      },
      (response) => {
        clearTimeout(timer);
        const status = response.statusCode ?? 0;
        response.resume();
        response.destroy();
        resolve({ ok: status >= 200 && status < 400, message: `GET ${path}: HTTP ${status}` });
      },
    );
    req.on("error", (error) => {
      clearTimeout(timer);
      resolve({ ok: false, message: `GET ${path}: ${error.message}` });
    });
    req.end();
  });
}

/** Opens a TCP connection; connecting passes. */
function tcpCheck(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (result: ProbeResult): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () => finish({ ok: false, message: `tcp ${port}: timed out after ${timeoutMs} ms` }),
      timeoutMs,
    );
    socket.once("connect", () => finish({ ok: true, message: `tcp ${port}: connected` }));
    socket.once("error", (error) => finish({ ok: false, message: `tcp ${port}: ${error.message}` }));
  });
}

/**
 * Runs the spec's probe command with `/bin/sh -c` (the user's own command) in the replica's
 * directory and environment; exit 0 passes. On timeout its whole process group is killed.
 */
function commandCheck(command: string, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const { runAs } = target;
    const setpriv = runAs === undefined ? undefined : findSetpriv();
    if (runAs !== undefined && setpriv === undefined) {
      resolve({
        ok: false,
        message: "command: setpriv (util-linux) is needed to run it as the replica's user",
      });
      return;
    }
    // Inside the replica's cgroups (its limits bound the probe too, and its removal ends what the
    // probe left), then as the replica's own user, through setpriv: no way back to root through
    // a setuid binary.
    const [file, args] = shellInCgroupsAs(command, target.cgroupProcs ?? [], runAs, setpriv);
    const child = spawn(file, args, {
      cwd: target.cwd,
      env: {
        ...target.env,
        ...(runAs?.home === undefined ? {} : { HOME: runAs.home, TMPDIR: runAs.home }),
        PORT: String(target.port),
      },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString("utf8")).slice(-OUTPUT_LIMIT);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-(child.pid ?? 0), "SIGKILL");
      } catch {
        // Ended just now.
      }
    }, timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      resolve({ ok: false, message: `command: ${error.message}` });
    });
    // "exit", not "close": a background process the command left behind may hold the pipes.
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      try {
        // A probe leaves nothing running.
        process.kill(-(child.pid ?? 0), "SIGKILL");
      } catch {
        // Nothing was left.
      }
      const said = output.trim() === "" ? "" : `: ${output.trim()}`;
      if (timedOut) {
        resolve({ ok: false, message: `command timed out after ${timeoutMs} ms${said}` });
      } else {
        resolve({ ok: code === 0, message: `command exited ${code ?? signal}${said}` });
      }
    });
  });
}
