// `npm run demo`: start (or reuse) the local two-cluster test bed, serve kube-mcp against it over HTTP,
// show a few real tool calls through an MCP client, then keep serving until Ctrl-C.
// `npm run demo -- --stdio` instead serves stdio (for piping into an MCP client).
import { spawn } from "node:child_process";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { up } from "./lib/bed.js";

const cli = join(import.meta.dirname, "..", "dist", "cli.js");
const stdio = process.argv.includes("--stdio");
const port = process.env.PORT ?? "3000";
const say = (s: string) => process.stderr.write(`${s}\n`);

const state = await up();
const env = { ...process.env, KUBECONFIG: state.kubeconfig };
say(
  `\nTest bed up: clusters ${state.clusters.map((c) => c.name).join(", ")}; KUBECONFIG=${state.kubeconfig}`,
);

if (stdio) {
  const child = spawn(process.execPath, [cli, "serve"], { stdio: "inherit", env });
  child.on("exit", (code) => process.exit(code ?? 1));
} else {
  const child = spawn(
    process.execPath,
    [cli, "serve", "--http", `127.0.0.1:${port}`, "--log-level", "warn"],
    { stdio: "inherit", env },
  );
  child.on("exit", (code) => process.exit(code ?? 1));
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => child.kill(sig));
  const url = `http://127.0.0.1:${port}/mcp`;
  const client = new Client({ name: "kube-mcp-demo", version: "0" });
  for (let i = 0; ; i++) {
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      break;
    } catch (err) {
      if (i > 50) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const tour: [string, Record<string, unknown>][] = [
    ["clusters_list", {}],
    ["resources_list", { kind: "deployments", cluster: "*" }],
    ["events_list", { type: "Warning", namespace: "shop" }],
  ];
  for (const [name, args] of tour) {
    const r = await client.callTool({ name, arguments: args });
    say(
      `\n── ${name} ${JSON.stringify(args)}\n${(r.content as { text?: string }[]).map((c) => c.text).join("\n")}`,
    );
  }
  await client.close();
  say(`\nkube-mcp is serving ${url} (Ctrl-C to stop; the clusters keep running until npm run testbed:down).`);
  say(`Claude Code: claude mcp add --transport http kube-mcp-demo ${url}`);
}
