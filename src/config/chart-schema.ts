// The `config` part of each Helm chart's values.schema.json, generated from the zod schema so the two
// cannot drift: `npm run docs` writes it into charts/*/values.schema.json, and a unit test fails when the
// committed copy differs. What a chart sets itself, or keeps out of its ConfigMap (secrets), is refused
// there with a description saying which value to use instead.
import * as z from "zod";
import type { Role } from "./options.js";
import { ConfigSchema } from "./schema.js";

type Json = Record<string, unknown>;

const SECRET = "secrets do not belong in a ConfigMap";
const AGENT_ONLY = "the agent's setting (charts/kube-mcp-agent)";
const HUB_ONLY = "the hub's setting (charts/kube-mcp-hub)";

/** Per chart: the role it runs, and the config paths it sets or refuses, with what to use instead. */
export const CHART_CONFIG: Record<string, { role: Role; refuses: Record<string, string> }> = {
  "kube-mcp": {
    role: "serve",
    refuses: {
      "http.listen": "set by the chart (containerPort)",
      "http.apiKey": `${SECRET}: use auth.apiKey or auth.existingSecret`,
      "hub.port": HUB_ONLY,
      "hub.tokens": HUB_ONLY,
      "hub.tokensPath": HUB_ONLY,
      "agent.hubUrl": AGENT_ONLY,
      "agent.clusterName": AGENT_ONLY,
      "agent.token": AGENT_ONLY,
      "agent.tokenFile": AGENT_ONLY,
      "agent.healthListen": AGENT_ONLY,
      "agent.caFile": AGENT_ONLY,
      "agent.insecureTls": AGENT_ONLY,
    },
  },
  "kube-mcp-hub": {
    role: "hub",
    refuses: {
      "http.listen": "set by the chart (containerPort)",
      "http.apiKey": `${SECRET}: use auth.apiKey or auth.existingSecret`,
      "hub.port": "set by the chart (containerPort)",
      "hub.tokens": `${SECRET}: use clusterTokens or existingClusterTokensSecret`,
      "hub.tokensPath": "set by the chart",
      capi: "the chart gives the hub no cluster credentials: serve Cluster API clusters from an agent (capi.enabled there)",
      "agent.hubUrl": AGENT_ONLY,
      "agent.clusterName": AGENT_ONLY,
      "agent.token": AGENT_ONLY,
      "agent.tokenFile": AGENT_ONLY,
      "agent.healthListen": AGENT_ONLY,
      "agent.caFile": AGENT_ONLY,
      "agent.insecureTls": AGENT_ONLY,
    },
  },
  "kube-mcp-agent": {
    role: "agent",
    refuses: {
      toolsets: "the hub decides which tools its callers see",
      tools: "the hub decides which tools its callers see",
      structuredOutput: "set in the hub's config",
      capi: "use capi.enabled, capi.namespaces and capi.refreshSeconds (they also grant the RBAC)",
      "http.listen": "an agent serves no MCP endpoint (healthPort sets its probes' port)",
      "http.apiKey": `${SECRET} (and an agent serves no MCP endpoint)`,
      "hub.port": HUB_ONLY,
      "hub.tokens": HUB_ONLY,
      "hub.tokensPath": HUB_ONLY,
      "agent.hubUrl": "use hub.url",
      "agent.clusterName": "use clusterName",
      "agent.token": `${SECRET}: use token or existingSecret`,
      "agent.tokenFile": "set by the chart",
      "agent.healthListen": "use healthPort",
      "agent.caFile": "use hub.caBundle or hub.existingCaConfigMap",
      "agent.insecureTls": "use hub.insecureTls",
    },
  },
};

/**
 * The schema as JSON Schema (draft 7, what charts use), describing what a config file may hold: a field
 * whose schema also takes a string form (`.meta({ alsoAccepts })`) accepts either.
 */
export function configJsonSchema(): Json {
  const json = z.toJSONSchema(ConfigSchema, {
    target: "draft-7",
    io: "input",
    unrepresentable: "any",
    override: ({ jsonSchema: s }) => {
      const j = s as Json;
      // zod's name for startsWith; the pattern beside it says the same in standard terms.
      if (j.format === "starts_with") delete j.format;
      if (j.alsoAccepts) {
        const { alsoAccepts, description, default: dflt, ...rest } = j;
        for (const k of Object.keys(j)) delete j[k];
        Object.assign(j, {
          ...(description ? { description } : {}),
          ...(dflt !== undefined ? { default: dflt } : {}),
          anyOf: [alsoAccepts, rest],
        });
      }
    },
  }) as Json;
  delete json.$schema;
  return json;
}

/** One chart's `config` schema: the whole config schema, less what the chart refuses. */
export function chartConfigSchema(chart: string): Json {
  const spec = CHART_CONFIG[chart];
  if (!spec) throw new Error(`no config schema for chart ${chart}`);
  const json = configJsonSchema();
  for (const [path, why] of Object.entries(spec.refuses)) {
    const keys = path.split(".");
    let node = json;
    for (const k of keys.slice(0, -1)) node = (node.properties as Record<string, Json>)[k] as Json;
    const props = node.properties as Record<string, Json>;
    const last = keys[keys.length - 1] as string;
    if (!props[last]) throw new Error(`${chart}: the config schema has no ${path}`);
    props[last] = { not: {}, description: why };
  }
  return {
    description: `kube-mcp's configuration file (\`kube-mcp ${spec.role} --config\`), rendered into a ConfigMap; kube-mcp validates the details at start`,
    ...json,
  };
}

/** A chart's values.schema.json text with its `config` part regenerated. */
export function withChartConfig(chart: string, valuesSchema: string): string {
  const values = JSON.parse(valuesSchema) as { properties: Record<string, unknown> };
  values.properties.config = chartConfigSchema(chart);
  return `${JSON.stringify(values, null, 2)}\n`;
}
