// What the helm lifecycle suites share: a chart repository served on loopback (the fixture charts,
// packaged and indexed by the bed's helm), helm and kubectl of the bed on a private Helm home, and
// kube-mcp sessions trusting that repository, with a person who answers confirmations.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { call, type Elicit, type Progress, type Session, stdioSession } from "./mcp.js";
import { run } from "./run.js";

export interface HelmBed {
  url: string;
  helm(...args: string[]): ReturnType<typeof run>;
  /** kubectl on cluster alpha of the bed. */
  kubectl(...args: string[]): ReturnType<typeof run>;
  /**
   * kube-mcp in this mode, trusting the repository as `local` (and `extra` flags); the person's own
   * Helm repositories are `userRepos` (none unless given).
   */
  serve(
    mode: string,
    extra?: string[],
    userRepos?: { name: string; url: string; username?: string }[],
  ): Promise<Session>;
  /** Calls the helm tool on alpha; every answer is kept in `outputs`. */
  h(
    s: Session,
    args: string[],
    more?: Record<string, unknown>,
    onprogress?: (p: Progress) => void,
  ): ReturnType<typeof call>;
  outputs: string[];
  /** What the person was asked; they answer `answer.value`. */
  asked: string[];
  answer: { value: "accept" | "decline" };
  close(): Promise<void>;
}

export async function helmBed(opts: {
  kubeconfig: string;
  bin: string;
  charts: string[];
  /** The config file's contents (e.g. a cluster's guard opt-ins). */
  config: unknown;
}): Promise<HelmBed> {
  const home = mkdtempSync(join(tmpdir(), "kube-mcp-helm-bed-"));
  const repoDir = join(home, "repo");
  mkdirSync(repoDir);
  const env = {
    ...process.env,
    HELM_CACHE_HOME: join(home, "c"),
    HELM_CONFIG_HOME: join(home, "f"),
    HELM_DATA_HOME: join(home, "d"),
  };
  const helm = (...args: string[]) => run(join(opts.bin, "helm"), args, { env, timeoutMs: 120_000 });
  const kubectl = (...args: string[]) =>
    run(join(opts.bin, "kubectl"), ["--kubeconfig", opts.kubeconfig, "--context", "alpha", ...args], {
      timeoutMs: 60_000,
    });
  // A chart repository is a directory with index.yaml and the packaged charts, served over HTTP.
  const server: Server = createServer((req, res) => {
    try {
      res.end(readFileSync(join(repoDir, basename(req.url ?? "/"))));
    } catch {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const chart of opts.charts) {
    const pkg = await helm(
      "package",
      join(import.meta.dirname, "..", "fixtures", "charts", chart),
      "-d",
      repoDir,
    );
    if (pkg.code !== 0) throw new Error(pkg.stderr);
  }
  const idx = await helm("repo", "index", repoDir, "--url", url);
  if (idx.code !== 0) throw new Error(idx.stderr);

  const config = join(home, "config.json");
  writeFileSync(config, JSON.stringify(opts.config));
  const sessions: Session[] = [];
  const asked: string[] = [];
  const answer: HelmBed["answer"] = { value: "accept" };
  const elicit: Elicit = (message) => {
    asked.push(message);
    return answer.value === "accept"
      ? { action: "accept", content: { confirm: true } }
      : { action: "decline" };
  };
  const outputs: string[] = [];
  return {
    url,
    helm,
    kubectl,
    outputs,
    asked,
    answer,
    async serve(mode, extra = [], userRepos = []) {
      const repositories = join(home, `user-repositories-${sessions.length}.yaml`);
      writeFileSync(repositories, JSON.stringify({ repositories: userRepos }));
      const s = await stdioSession({
        args: ["--config", config, "--mode", mode, "--helm-repo", `local=${url}`, ...extra],
        env: {
          KUBECONFIG: opts.kubeconfig,
          PATH: `${opts.bin}:${process.env.PATH}`,
          HELM_REPOSITORY_CONFIG: repositories,
        },
        elicit,
      });
      sessions.push(s);
      return s;
    },
    async h(s, args, more = {}, onprogress = undefined) {
      const r = await call(s.client, "helm", { args, cluster: "alpha", ...more }, onprogress);
      outputs.push(r.text, JSON.stringify(r.structured ?? null));
      return r;
    },
    async close() {
      for (const s of sessions) await s.close();
      server.close();
    },
  };
}
