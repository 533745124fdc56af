// `npm run testbed:up`: start (or reuse) the two-cluster bed; the last line is KUBECONFIG=<path>.
// KUBE_MCP_TESTBED_PODS=N adds N running pods to alpha (a running bed is resized; unset keeps its size).
import { up } from "./lib/bed.js";

const raw = process.env.KUBE_MCP_TESTBED_PODS;
const pods = raw === undefined || raw === "" ? undefined : Number(raw);
if (pods !== undefined && (!Number.isInteger(pods) || pods < 0)) {
  process.stderr.write(`testbed: KUBE_MCP_TESTBED_PODS must be a whole number, got "${raw}"\n`);
  process.exit(2);
}
try {
  const state = await up(pods === undefined ? {} : { pods });
  for (const c of state.clusters) process.stdout.write(`cluster ${c.name}: ${c.server}\n`);
  process.stdout.write(`KUBECONFIG=${state.kubeconfig}\n`);
} catch (err) {
  process.stderr.write(
    `testbed: ${err instanceof Error ? (process.env.DEBUG ? err.stack : err.message) : String(err)}\n`,
  );
  process.exit(1);
}
