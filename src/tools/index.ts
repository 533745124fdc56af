// Every tool, in the order tools/list shows them. Adding a tool means adding it here; nothing else.
import { apiResources, resourcesExplain } from "./api.js";
import { canI } from "./can-i.js";
import { cliHelp } from "./cli-help.js";
import { clustersList } from "./clusters.js";
import { podsDebug } from "./debug.js";
import type { AnyTool } from "./define.js";
import { resourcesDelete } from "./delete.js";
import { resourcesDescribe } from "./describe.js";
import { nodesDrain } from "./drain.js";
import { eventsList } from "./events.js";
import { podsExec } from "./exec.js";
import { clusterHealth } from "./health.js";
import { podsLogs } from "./logs.js";
import { portForward } from "./portforward.js";
import { resourcesGet, resourcesList } from "./resources.js";
import { rollout, rolloutStatus } from "./rollout.js";
import { top } from "./top.js";
import { resourcesApply, resourcesPatch, resourcesScale } from "./write.js";

export const ALL_TOOLS: AnyTool[] = [
  clustersList,
  resourcesList,
  resourcesGet,
  resourcesDescribe,
  podsLogs,
  eventsList,
  canI,
  cliHelp,
  apiResources,
  resourcesExplain,
  top,
  clusterHealth,
  resourcesApply,
  resourcesPatch,
  resourcesScale,
  rolloutStatus,
  rollout,
  resourcesDelete,
  podsExec,
  nodesDrain,
  podsDebug,
  portForward,
];
