// Turns a cluster's AuthSpec into request headers and a TLS client identity, running exec credential
// plugins and re-reading token files as needed. Secrets never appear in an error message.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import type { ClusterSpec, ExecConfig } from "./types.js";

export interface AuthMaterial {
  headers: Record<string, string>;
  cert?: Buffer;
  key?: Buffer;
  /** Identifies the TLS client identity, so connections are pooled per identity. */
  cacheKey: string;
}

export interface CredentialsOptions {
  /** Environment exec plugins inherit; defaults to process.env. */
  env?: Record<string, string | undefined>;
  execTimeoutMs?: number;
  /** How long a token file's contents are trusted before it is read again. */
  tokenFileTtlMs?: number;
  now?: () => number;
}

interface ExecResult {
  token?: string;
  cert?: Buffer;
  key?: Buffer;
  /** When to run the plugin again; Infinity when the credential carries no expiry. */
  refreshAt: number;
}

const MAX_PLUGIN_OUTPUT = 1024 * 1024;
const PROVIDER_HINTS: Record<string, string> = {
  gcp: "gke-gcloud-auth-plugin",
  azure: "kubelogin (github.com/Azure/kubelogin)",
  oidc: "kubelogin (github.com/int128/kubelogin)",
};

export class Credentials {
  private readonly env: Record<string, string | undefined>;
  private readonly execTimeoutMs: number;
  private readonly tokenFileTtlMs: number;
  private readonly now: () => number;
  private execCached?: ExecResult;
  private execInflight?: Promise<ExecResult>;
  private fileToken?: { token: string; readAt: number };

  constructor(
    private readonly spec: ClusterSpec,
    opts: CredentialsOptions = {},
  ) {
    this.env = opts.env ?? process.env;
    this.execTimeoutMs = opts.execTimeoutMs ?? 30_000;
    this.tokenFileTtlMs = opts.tokenFileTtlMs ?? 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** Whether a rejected credential may be replaced by a fresh one (so a 401 is worth one retry). */
  get refreshable(): boolean {
    return Boolean(this.spec.auth.exec || this.spec.auth.tokenFile);
  }

  async get(signal?: AbortSignal): Promise<AuthMaterial> {
    signal?.throwIfAborted();
    const auth = this.spec.auth;
    if (auth.authProvider) {
      const hint = PROVIDER_HINTS[auth.authProvider];
      throw new Error(
        `cluster ${this.spec.name} uses the '${auth.authProvider}' auth-provider, which kube-mcp does not ` +
          `support (kubectl dropped it too). Switch the kubeconfig user to an exec plugin${hint ? ` such as ${hint}` : ""}.`,
      );
    }
    const headers: Record<string, string> = {};
    let cert = auth.clientCert;
    let key = auth.clientKey;
    let token: string | undefined;
    if (auth.exec) {
      const result = await abortable(this.execCredential(auth.exec), signal);
      token = result.token;
      if (result.cert) [cert, key] = [result.cert, result.key];
    } else if (auth.tokenFile) token = await this.readTokenFile(auth.tokenFile, auth.token);
    else token = auth.token;
    if (token) headers.Authorization = `Bearer ${token}`;
    else if (auth.username !== undefined || auth.password !== undefined) {
      const pair = `${auth.username ?? ""}:${auth.password ?? ""}`;
      headers.Authorization = `Basic ${Buffer.from(pair).toString("base64")}`;
    }
    const cacheKey = cert
      ? createHash("sha256")
          .update(cert)
          .update(key ?? "")
          .digest("hex")
          .slice(0, 16)
      : "no-client-cert";
    return { headers, cert, key, cacheKey };
  }

  /** Forgets cached credentials; the next get() runs the plugin or reads the token file again. */
  invalidate(): void {
    this.execCached = undefined;
    if (this.fileToken) this.fileToken.readAt = Number.NEGATIVE_INFINITY;
  }

  private async readTokenFile(path: string, fallback?: string): Promise<string> {
    const now = this.now();
    if (this.fileToken && now - this.fileToken.readAt < this.tokenFileTtlMs) return this.fileToken.token;
    try {
      const token = (await readFile(path, "utf8")).trim();
      if (!token) throw Object.assign(new Error("empty"), { code: "empty file" });
      this.fileToken = { token, readAt: now };
      return token;
    } catch (err) {
      // Like client-go: keep using the last good token while a rotation is half-written.
      const last = this.fileToken?.token ?? fallback;
      if (last) return last;
      const why = (err as NodeJS.ErrnoException).code ?? "unreadable";
      throw new Error(
        `cannot read the token file ${path} for cluster ${this.spec.name} (${why}). Check that it exists and is readable.`,
      );
    }
  }

  private execCredential(exec: ExecConfig): Promise<ExecResult> {
    const cached = this.execCached;
    if (cached && this.now() < cached.refreshAt) return Promise.resolve(cached);
    // Concurrent callers share one plugin run.
    this.execInflight ??= this.runPlugin(exec)
      .then((result) => {
        this.execCached = result;
        return result;
      })
      .finally(() => {
        this.execInflight = undefined;
      });
    return this.execInflight;
  }

  private runPlugin(exec: ExecConfig): Promise<ExecResult> {
    const label = `exec plugin '${basename(exec.command)}' for cluster ${this.spec.name}`;
    if (exec.interactiveMode === "Always")
      return Promise.reject(
        new Error(
          `${label} needs an interactive terminal (interactiveMode: Always), which kube-mcp cannot give it. ` +
            "Log in with the plugin in a terminal first, or use a non-interactive credential.",
        ),
      );
    const env: Record<string, string | undefined> = { ...this.env };
    for (const { name, value } of exec.env) env[name] = value;
    env.KUBERNETES_EXEC_INFO = JSON.stringify(this.execInfo(exec));
    return new Promise((resolve, reject) => {
      const child = spawn(exec.command, exec.args, { env, stdio: ["ignore", "pipe", "pipe"], shell: false });
      const out: Buffer[] = [];
      let outBytes = 0;
      let err = "";
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill("SIGKILL");
      }, this.execTimeoutMs);
      child.stdout.on("data", (b: Buffer) => {
        outBytes += b.length;
        if (outBytes <= MAX_PLUGIN_OUTPUT) out.push(b);
      });
      child.stderr.on("data", (b: Buffer) => {
        if (err.length < 16_384) err += b.toString("utf8");
      });
      child.on("error", (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (e.code !== "ENOENT" && e.code !== "EACCES")
          return reject(new Error(`${label} could not start: ${e.message}`));
        const hint =
          exec.installHint?.trim() || "Install it, or fix users[].user.exec.command in the kubeconfig.";
        reject(new Error(`${label} could not run '${exec.command}' (${e.code}). ${hint}`));
      });
      child.on("close", (code, sig) => {
        clearTimeout(timer);
        if (timedOut)
          return reject(
            new Error(
              `${label} timed out after ${this.execTimeoutMs / 1000} s. It may be waiting for a login prompt; log in in a terminal first.`,
            ),
          );
        if (code !== 0) {
          const detail =
            redact(err.trim().split("\n").slice(0, 3).join(" | ").slice(0, 500)) || "no error output";
          return reject(
            new Error(
              `${label} failed (${sig ? `signal ${sig}` : `exit ${code}`}): ${detail}. ` +
                "Check that the plugin is installed and you are logged in.",
            ),
          );
        }
        if (outBytes > MAX_PLUGIN_OUTPUT) return reject(new Error(`${label} printed more than 1 MiB`));
        try {
          resolve(this.parseCredential(Buffer.concat(out).toString("utf8"), exec, label));
        } catch (e) {
          reject(e);
        }
      });
    });
  }

  private execInfo(exec: ExecConfig) {
    const { server, tls, proxyUrl } = this.spec;
    const cluster = exec.provideClusterInfo
      ? {
          server,
          "tls-server-name": tls.serverName,
          "insecure-skip-tls-verify": tls.insecure || undefined,
          "certificate-authority-data": tls.ca?.toString("base64"),
          "proxy-url": proxyUrl,
        }
      : undefined;
    return { apiVersion: exec.apiVersion, kind: "ExecCredential", spec: { interactive: false, cluster } };
  }

  private parseCredential(stdout: string, exec: ExecConfig, label: string): ExecResult {
    const bad = (why: string) => new Error(`${label} printed an invalid ExecCredential: ${why}`);
    let doc: unknown;
    try {
      doc = JSON.parse(stdout);
    } catch {
      throw bad("the output is not JSON");
    }
    const d = (doc ?? {}) as { kind?: unknown; apiVersion?: unknown; status?: Record<string, unknown> };
    if (d.kind !== "ExecCredential") throw bad(`kind is ${JSON.stringify(d.kind)}, not "ExecCredential"`);
    if (d.apiVersion !== exec.apiVersion)
      throw bad(
        `apiVersion ${JSON.stringify(d.apiVersion)} does not match the kubeconfig's ${exec.apiVersion}`,
      );
    const s = d.status;
    if (typeof s !== "object" || s === null) throw bad("it has no status");
    const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
    const token = text(s.token);
    const cert = text(s.clientCertificateData);
    const key = text(s.clientKeyData);
    if (Boolean(cert) !== Boolean(key))
      throw bad("clientCertificateData and clientKeyData must come together");
    if (!token && !cert) throw bad("status has neither a token nor a client certificate");
    let refreshAt = Number.POSITIVE_INFINITY;
    const expiry = text(s.expirationTimestamp);
    if (expiry) {
      const at = Date.parse(expiry);
      if (Number.isNaN(at)) throw bad(`expirationTimestamp "${expiry}" is not a timestamp`);
      // Refresh a little early so a request never leaves with a credential that expires in flight.
      const margin = Math.min(60_000, Math.max(0, (at - this.now()) / 5));
      refreshAt = at - margin;
    }
    return {
      token,
      cert: cert ? Buffer.from(cert) : undefined,
      key: key ? Buffer.from(key) : undefined,
      refreshAt,
    };
  }
}

/** Long unbroken runs of token characters are almost always secrets; paths and prose survive. */
const redact = (s: string) => s.replace(/[A-Za-z0-9_\-.+=]{40,}/g, "[redacted]");

function abortable<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  // The shared plugin run keeps going for other callers; only this caller stops waiting.
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason ?? new Error("aborted"));
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
