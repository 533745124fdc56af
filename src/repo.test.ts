// The repository itself. Worktrees link node_modules to the main checkout's; a commit that tracks that link
// replaces the main checkout's packages with a link to itself when it is merged there.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("the repository", () => {
  it("tracks no node_modules, not even as a link", () => {
    const tracked = execFileSync("git", ["ls-files", "--", "node_modules", "*/node_modules"], {
      cwd: import.meta.dirname,
      encoding: "utf8",
    });
    expect(tracked.trim()).toBe("");
  });
});
