import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitForPort } from "./processes.js";

/** Where Debian's `nginx` package puts the binary. */
export const nginxBinary = "/usr/sbin/nginx";

/** A running nginx reverse proxy in front of one upstream. */
export interface RunningNginx {
  url: string;
  /** The master process; its workers are its children. */
  pid: number;
  stop(): Promise<void>;
}

/**
 * The reverse-proxy setup nginx users run: one worker, HTTP/1.1 keep-alive pool to the
 * upstream, the same forwarded headers Slipway's router sets, no access log.
 */
export function nginxConfig(dir: string, port: number, upstreamPort: number, runAsRoot: boolean): string {
  return `${runAsRoot ? "user root;\n" : ""}daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/client-body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream hello { server 127.0.0.1:${upstreamPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://hello;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Request-Id $request_id;
    }
  }
}
`;
}

/** Starts nginx on 127.0.0.1 with a generated config in a temporary directory. */
export async function startNginx(upstreamPort: number): Promise<RunningNginx> {
  if (!existsSync(nginxBinary)) {
    throw new Error(`${nginxBinary} is missing: install Debian's package with \`apt-get install -y nginx\``);
  }
  const dir = await mkdtemp(join(tmpdir(), "slipway-bench-nginx-"));
  await mkdir(join(dir, "client-body"));
  const port = await freePort();
  const config = join(dir, "nginx.conf");
  await writeFile(config, nginxConfig(dir, port, upstreamPort, process.getuid?.() === 0));
  const child: ChildProcess = spawn(nginxBinary, ["-p", dir, "-c", config, "-e", join(dir, "error.log")], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  await waitForPort(port, child, "nginx");
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid as number,
    stop: async () => {
      child.kill("SIGQUIT");
      await new Promise((resolve) => child.once("exit", resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
