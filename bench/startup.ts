// Cold start to the first tools/list answer, idle RSS after it, and the size of tools/list, for a stdio
// MCP server command. Raw JSON-RPC over the pipe, so no client library sits in the measurement.
// Usage: tsx bench/startup.ts [runs] -- <command> [args…]   (default: node dist/cli.js serve)
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

interface Sample {
  ms: number;
  rssMB: number;
  bytes: number;
}

function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m?.[1] ?? 0) / 1024;
}

function once(cmd: string, args: string[]): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "ignore"] });
    let out = "";
    let ms = 0;
    const send = (m: object) => child.stdin.write(`${JSON.stringify(m)}\n`);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes('"id":1') && !out.includes('"id":2') && !ms) {
        send({ jsonrpc: "2.0", method: "notifications/initialized" });
        send({ jsonrpc: "2.0", id: 2, method: "tools/list" });
        ms = -1;
      }
      const line = out.split("\n").find((l) => l.includes('"id":2'));
      if (line && ms === -1) {
        ms = performance.now() - t0;
        setTimeout(() => {
          const sample = { ms, rssMB: rss(child.pid as number), bytes: Buffer.byteLength(line) };
          child.kill();
          resolve(sample);
        }, 2000);
      }
    });
    child.once("error", reject);
    send({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-11-25",
        capabilities: {},
        clientInfo: { name: "bench", version: "0" },
      },
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const sep = process.argv.indexOf("--");
const runs = Number(process.argv[2] && process.argv[2] !== "--" ? process.argv[2] : 7);
const [cmd, ...args] = sep > 0 ? process.argv.slice(sep + 1) : [process.execPath, "dist/cli.js", "serve"];
const samples: Sample[] = [];
for (let i = 0; i < runs; i++) samples.push(await once(cmd as string, args));
const ms = median(samples.map((s) => s.ms));
const mb = median(samples.map((s) => s.rssMB));
const bytes = samples[0]?.bytes ?? 0;
process.stdout.write(
  `${[cmd, ...args].join(" ")}\n  start → tools/list: median ${ms.toFixed(0)} ms over ${runs} runs (min ${Math.min(...samples.map((s) => s.ms)).toFixed(0)})\n  idle RSS after:     median ${mb.toFixed(1)} MB\n  tools/list:         ${bytes} bytes (~${Math.round(bytes / 4)} tokens)\n`,
);
