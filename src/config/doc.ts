// The configuration reference (docs/configuration.md, written by `npm run docs`): one row per field, its
// type, default and description as the schema says them, and the flag and variable that set it.
import { configJsonSchema } from "./chart-schema.js";
import { OPTIONS } from "./options.js";

type Json = Record<string, unknown> & {
  properties?: Record<string, Json>;
  items?: Json;
  additionalProperties?: Json | boolean;
  anyOf?: Json[];
};

function typeOf(s: Json): string {
  if (s.anyOf) return s.anyOf.map(typeOf).join(" or ");
  if (Array.isArray(s.enum)) return s.enum.map((v) => `\`${v}\``).join(" \\| ");
  if (s.type === "array") return `list of ${s.items ? typeOf(s.items) : "any"}`;
  if (s.type === "object" && typeof s.additionalProperties === "object") return "map";
  return typeof s.type === "string" ? s.type : "any";
}

const shown = (v: unknown) =>
  v === undefined || (typeof v === "object" && v !== null && Object.keys(v).length === 0)
    ? ""
    : `\`${JSON.stringify(v)}\``;

function rows(s: Json, path: string): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(s.properties ?? {})) {
    const p = path + k;
    const flags = OPTIONS.filter((o) => o.path === p).map(
      (o) => `\`--${o.flag}\`${o.env ? `<br>\`${o.env}\`` : ""}`,
    );
    const cell = (x: unknown) =>
      String(x ?? "")
        .replaceAll("|", "\\|")
        .replaceAll("<", "&lt;");
    out.push(
      `| \`${p}\` | ${typeOf(v)} | ${shown(v.default)} | ${flags.join("<br>")} | ${cell(v.description)} |`,
    );
    const inner = v.anyOf?.find((x) => x.properties) ?? v;
    if (inner.properties) out.push(...rows(inner, `${p}.`));
    const item = inner.items?.anyOf?.find((x) => x.properties) ?? inner.items;
    if (item?.properties) out.push(...rows(item, `${p}[].`));
    if (typeof inner.additionalProperties === "object" && inner.additionalProperties.properties)
      out.push(...rows(inner.additionalProperties, `${p}.<name>.`));
  }
  return out;
}

/** The reference table, every field of the config schema in order. */
export function configTable(): string {
  return [
    "| Field | Type | Default | Flag / env | What it does |",
    "|---|---|---|---|---|",
    ...rows(configJsonSchema() as Json, ""),
  ].join("\n");
}
