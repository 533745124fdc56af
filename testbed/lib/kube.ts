// Minimal clients the test bed needs before kube-mcp itself exists: raw HTTPS probes and kubectl.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import type { Pki } from "./pki.js";

export function httpsGet(
  url: string,
  pki: Pki,
  timeoutMs = 5_000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        ca: readFileSync(pki.caCert),
        cert: readFileSync(pki.adminCert),
        key: readFileSync(pki.adminKey),
        timeout: timeoutMs,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          body += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on("error", reject);
    req.end();
  });
}

export async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  return res.ok;
}

export type Kubectl = (args: string[], opts?: { input?: string; timeoutMs?: number }) => Promise<string>;

/** kubectl bound to one kubeconfig file, from the test bed's own bin directory. */
export function kubectlFor(bin: string, kubeconfig: string): Kubectl {
  return (args, opts = {}) =>
    new Promise((resolve, reject) => {
      const child = execFile(
        join(bin, "kubectl"),
        ["--kubeconfig", kubeconfig, ...args],
        { timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
        (err, stdout, stderr) => {
          if (err) reject(new Error(`kubectl ${args.join(" ")}: ${stderr.trim() || err.message}`));
          else resolve(stdout);
        },
      );
      if (opts.input !== undefined) child.stdin?.end(opts.input);
    });
}
