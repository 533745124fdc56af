// Stand-ins for CLIs most machines lack (istioctl, argocd), so a listing that depends on what is on PATH
// is the same on every machine. Listing only looks them up; a call that did run one would fail (exit 1).
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function stubBinaries(names = ["istioctl", "argocd"]): string {
  const dir = mkdtempSync(join(tmpdir(), "kube-mcp-stub-bin-"));
  for (const b of names) {
    writeFileSync(join(dir, b), "#!/bin/sh\nexit 1\n");
    chmodSync(join(dir, b), 0o755);
  }
  return dir;
}
