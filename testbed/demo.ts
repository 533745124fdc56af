// `npm run demo`: start (or reuse) the local test bed and serve kube-mcp against it, so a newcomer
// without a cluster sees it work. Extra arguments go to `kube-mcp serve` (e.g. `-- --http 8080`).
import { spawn } from "node:child_process";
import { join } from "node:path";
import { up } from "./lib/bed.js";

const state = await up();
const cli = join(import.meta.dirname, "..", "dist", "cli.js");
process.stderr.write(
  [
    "",
    `kube-mcp demo: clusters ${state.clusters.map((c) => c.name).join(", ")} are up.`,
    `  KUBECONFIG=${state.kubeconfig}`,
    `  kubectl:   ${join(state.bin, "kubectl")}`,
    "  Stop the clusters afterwards with: npm run testbed:down",
    "",
  ].join("\n"),
);
const child = spawn(process.execPath, [cli, "serve", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, KUBECONFIG: state.kubeconfig },
});
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => child.kill(sig));
child.on("exit", (code) => process.exit(code ?? 1));
