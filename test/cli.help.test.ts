// cli_help through a real MCP client: the installed binary's help for a command path, compacted, in
// every mode; a path the grammar does not know (a plugin, say) is refused before anything runs.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { call, type Session, stdioSession } from "./helpers/mcp.js";

const env = { KUBECONFIG: inject("kubeconfig"), PATH: `${inject("testbedBin")}:${process.env.PATH}` };
let ro: Session;

beforeAll(async () => {
  ro = await stdioSession({ args: ["--mode", "read-only", "--toolsets", "core,inspect"], env });
});
afterAll(async () => ro?.close());

describe("cli_help", () => {
  it("gives kubectl's help for a write command even in read-only mode, without examples or trailer", async () => {
    const r = await call(ro.client, "cli_help", { binary: "kubectl", command: "create deployment" });
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toContain("--image");
    expect(r.text).toMatch(/Usage:/);
    expect(r.text).not.toMatch(/^Examples:/m);
    expect(r.text).not.toContain('Use "kubectl options"');
  });

  it("keeps the examples when asked, and serves helm too", async () => {
    const k = await call(ro.client, "cli_help", { binary: "kubectl", command: "scale", examples: true });
    expect(k.text).toMatch(/^Examples:/m);
    const h = await call(ro.client, "cli_help", { binary: "helm", command: "upgrade" });
    expect(h.isError, h.text).toBe(false);
    expect(h.text).toContain("--install");
  });

  it("refuses a command path the grammar does not know, naming it", async () => {
    const r = await call(ro.client, "cli_help", { binary: "kubectl", command: "evil-plugin" });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/evil-plugin/);
  });
});
