// cluster_health: API server health checks, node readiness, pods that are not running, recent warnings.
import * as z from "zod";
import { healthReport } from "../kube/health.js";
import { textTool } from "./cluster-tool.js";

export const clusterHealth = textTool({
  name: "cluster_health",
  toolset: "inspect",
  title: "Cluster health",
  description:
    "A cluster at a glance: version, API server checks, node readiness and pressure, pods not running, frequent warnings.",
  safety: "read",
  input: z.object({}),
  async run(_args, cluster, ctx) {
    return {
      text: await healthReport(cluster.api, ctx.signal),
      notes: ["Details: events_list type=Warning, resources_describe on a failing object."],
    };
  },
});
