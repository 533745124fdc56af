// The CLI passthrough's sections of the config schema: `cli` (deadlines, output, extra refusals) and
// `helm` (where install and upgrade may take charts from).
import * as z from "zod";

/** A chart repository, `{ name, url }` or the flag's `NAME=URL`. */
const HelmRepository = z
  .preprocess(
    (v) => {
      if (typeof v !== "string") return v;
      const at = v.indexOf("=");
      return at < 0 ? v : { name: v.slice(0, at), url: v.slice(at + 1) };
    },
    z
      .object({
        name: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, "a repository name: letters, digits, _ . -")
          .describe("the REPO in REPO/CHART"),
        url: z
          .string()
          .regex(/^https?:\/\/[^\s]+$/, "an http(s) URL")
          .describe("the repository's index URL, http(s)"),
      })
      .strict(),
  )
  .meta({ alsoAccepts: { type: "string", description: "NAME=URL" } });

/** An OCI registry path charts may come from, `oci://host[:port]/path` or `{ url, plainHttp }`. */
const HelmRegistry = z
  .preprocess(
    (v) => (typeof v === "string" ? { url: v } : v),
    z
      .object({
        url: z
          .string()
          .regex(
            /^oci:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._-]+)*\/?$/,
            "an oci://host[:port]/path reference, without credentials",
          )
          .transform((u) => u.replace(/\/$/, ""))
          .describe("charts may come from oci://host[:port]/path/CHART"),
        plainHttp: z
          .boolean()
          .default(false)
          .describe("the registry speaks plain HTTP (loopback only, e.g. tests)"),
      })
      .strict(),
  )
  .meta({ alsoAccepts: { type: "string", description: "oci://host[:port]/path" } });

export const Cli = z
  .object({
    timeoutSeconds: z.number().int().min(1).max(3600).default(55).describe("default deadline of one CLI run"),
    maxTimeoutSeconds: z
      .number()
      .int()
      .min(1)
      .max(3600)
      .default(300)
      .describe("largest `timeout` a call may ask for"),
    maxOutputBytes: z
      .number()
      .int()
      .min(10_000)
      .max(50_000_000)
      .default(2_000_000)
      .describe("output kept from one CLI run or exec; the rest is dropped, with a note"),
    concurrency: z.number().int().min(1).max(64).default(4).describe("CLI processes running at once"),
    rules: z
      .string()
      .optional()
      .describe("a rule file of extra refusals for the CLI passthrough (k8s-mcp-server's format)"),
    ruleSet: z
      .record(
        z.string(),
        z.object({
          dangerous: z.array(z.string()).describe("command prefixes refused"),
          safe: z
            .array(z.string())
            .describe("command prefixes exempted from dangerous (and from nothing else)"),
          regex: z
            .array(
              z.object({
                pattern: z.string().describe("a regex over the whole command"),
                message: z.string().describe("what a refusal says"),
              }),
            )
            .describe("patterns refused, each with its message"),
        }),
      )
      .optional()
      .describe("set by kube-mcp from `rules` when it starts"),
  })
  .strict()
  .prefault({})
  .describe("the CLI passthrough (kubectl, helm, istioctl, argocd): deadlines, output and extra refusals");

export const Helm = z
  .object({
    repositories: z
      .array(HelmRepository)
      .default([])
      .describe("the only chart repositories install and upgrade may use, as REPO/CHART"),
    registries: z
      .array(HelmRegistry)
      .default([])
      .describe("OCI registry paths charts may come from, as oci://host/path/CHART"),
    userRepositories: z
      .preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean())
      .meta({ alsoAccepts: { type: "string", enum: ["true", "false"] } })
      .default(true)
      .describe("serve also trusts the repositories in the user's own Helm config (never hub or agent)"),
  })
  .strict()
  .prefault({})
  .describe("where helm install and upgrade may take charts from");
