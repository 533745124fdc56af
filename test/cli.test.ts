// The built bin answers --help and --version and routes subcommands, without any cluster.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "./helpers/run.js";

const cli = join(import.meta.dirname, "..", "dist", "cli.js");
const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "..", "package.json"), "utf8")) as {
  version: string;
};

describe("kube-mcp bin", () => {
  it("prints its version", async () => {
    const r = await run(process.execPath, [cli, "--version"]);
    expect(r).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
  });

  it("lists the three roles in --help", async () => {
    const r = await run(process.execPath, [cli, "--help"]);
    expect(r.code).toBe(0);
    for (const role of ["serve", "hub", "agent"]) expect(r.stdout).toMatch(new RegExp(`^  ${role} `, "m"));
  });

  it("rejects an unknown command with a hint and exit code 2", async () => {
    const r = await run(process.execPath, [cli, "deploy-everything"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "deploy-everything"');
    expect(r.stderr).toContain("serve, hub, agent");
  });
});
