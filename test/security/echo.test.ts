// Threat class 2, secret values echoed back by the API server: a write may not copy, move or test a
// redacted value (into an annotation, or into a field whose 422 message would quote it), and a value
// masked once is masked wherever it reappears in the same answer. Ordinary writes keep working.
import { describe, expect, it } from "vitest";
import { leaks } from "../helpers/canary.js";
import { guardBed } from "./guard-bed.js";

const { ns, PASSWORD, SECRET, outputs, kubectl, get, tool, kc, app } = guardBed("echo");

describe("secret values echoed back by the API server", () => {
  it.each(["non-destructive", "full"])(
    "refuses a JSON patch that copies an env password into an annotation (%s, dry run)",
    async (mode) => {
      const names = await get(
        "deploy",
        "app",
        "-o",
        "jsonpath={.spec.template.spec.containers[0].env[*].name}",
      );
      const i = names.split(" ").indexOf("DB_PASSWORD");
      expect(i).toBeGreaterThanOrEqual(0);
      const r = await tool(mode, "resources_patch", {
        kind: "deployment",
        name: "app",
        namespace: ns,
        type: "json",
        dryRun: true,
        patch: `[{"op":"copy","from":"/spec/template/spec/containers/0/env/${i}/value","path":"/metadata/annotations/leak"}]`,
      });
      expect(r.isError, r.text).toBe(true);
      expect(r.text).toContain("(rule secretEcho)");
    },
  );

  it("refuses copying a Secret's data into a field that fails validation (the 422 would quote it)", async () => {
    const r = await tool("full", "resources_patch", {
      kind: "secret",
      name: "db",
      namespace: ns,
      type: "json",
      patch: '[{"op":"copy","from":"/data/password","path":"/metadata/labels/x"}]',
    });
    expect(r.isError).toBe(true);
    expect(r.text).toContain("(rule secretEcho)");
  });

  it("refuses the same through kubectl patch --type=json", async () => {
    const r = await kc(
      "full",
      "patch",
      "secret",
      "db",
      "-n",
      ns,
      "--type=json",
      "-p",
      '[{"op":"move","from":"/data/password","path":"/metadata/annotations/x"}]',
    );
    expect(r.isError).toBe(true);
    expect(r.text).toContain("(rule secretEcho)");
    expect(await get("secret", "db", "-o", "jsonpath={.metadata.annotations.x}")).toBe("");
  });

  it("masks a redacted value wherever it reappears in the same object (planted there earlier)", async () => {
    await kubectl("annotate", "deployment", "app", "-n", ns, `copied=${PASSWORD}`, "--overwrite");
    const r = await tool("full", "resources_get", { kind: "deployment", name: "app", namespace: ns });
    expect(r.isError).toBe(false);
    expect(r.text).toContain("copied:");
    const y = await kc("full", "get", "deployment", "app", "-n", ns, "-o", "yaml");
    expect(y.text).toContain("copied:");
    await kubectl("annotate", "deployment", "app", "-n", ns, "copied-");
  });
});

describe("ordinary writes keep working in non-destructive mode", () => {
  it("applies a Deployment, a Service and a ConfigMap, scales up and restarts", async () => {
    const apply = await tool("non-destructive", "resources_apply", {
      manifest: `apiVersion: v1
kind: ConfigMap
metadata: {name: web-config, namespace: ${ns}}
data: {LOG_LEVEL: info}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ${ns}}
spec: {selector: {app: web}, ports: [{port: 80}]}
---
${app
  .replace(/name: app,/, "name: web,")
  .replace(/app: app/g, "app: web")
  .replace(/- \{name: DB_PASSWORD.*\n/, "")}`,
    });
    expect(apply.isError, apply.text).toBe(false);
    const up = await tool("non-destructive", "resources_scale", {
      kind: "deployment",
      name: "web",
      namespace: ns,
      replicas: 3,
    });
    expect(up.isError, up.text).toBe(false);
    const viaCli = await kc("non-destructive", "scale", "deployment/web", "-n", ns, "--replicas=4");
    expect(viaCli.isError, viaCli.text).toBe(false);
    expect(await get("deploy", "web", "-o", "jsonpath={.spec.replicas}")).toBe("4");
    const restart = await kc("non-destructive", "rollout", "restart", "deployment/web", "-n", ns);
    expect(restart.isError, restart.text).toBe(false);
    expect(await get("deploy", "web", "-o", "jsonpath={.spec.template.metadata.annotations}")).toContain(
      "restartedAt",
    );
    const label = await kc("non-destructive", "label", "deployment", "web", "-n", ns, "team=shop");
    expect(label.isError, label.text).toBe(false);
    expect(await get("deploy", "web", "-o", "jsonpath={.metadata.labels.team}")).toBe("shop");
    const diff = await tool("non-destructive", "resources_apply", {
      manifest: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-config, namespace: ${ns}}\ndata: {LOG_LEVEL: debug}`,
      dryRun: true,
    });
    expect(diff.text).toContain("would change (dry run)");
    expect(diff.text).toMatch(/\+ +LOG_LEVEL: debug/);
  });
});

describe("no planted value in any answer", () => {
  it("leaks nothing, raw or base64", () => {
    expect(outputs.flatMap(leaks)).toEqual([]);
    expect(outputs.join("\n")).not.toContain(PASSWORD);
    expect(outputs.join("\n")).not.toContain(Buffer.from(SECRET).toString("base64"));
  });
});
