import { describe, expect, it } from "vitest";
import { CONFIRM_ABOVE, deleteObjects } from "./delete.js";
import { answer, fakeApi } from "./testdata/fake-api.js";

const signal = new AbortController().signal;
const table = (names: string[]) => ({
  kind: "Table",
  columnDefinitions: [{ name: "Name", type: "string" }],
  rows: names.map((n) => ({ cells: [n], object: { metadata: { name: n, namespace: "shop" } } })),
});
const base = { kind: "pods", namespace: "shop", dryRun: false, signal };

function cluster(names: string[], failOn?: string) {
  return fakeApi((req) => {
    if (req.method === "DELETE")
      return req.path.endsWith(`/${failOn}`)
        ? answer(403, { kind: "Status", reason: "Forbidden", message: "no", code: 403 })
        : {};
    if (req.path === "/api/v1/namespaces/shop/pods") return table(names);
    return undefined;
  });
}

describe("deleteObjects", () => {
  it("deletes by name, with the options asked for", async () => {
    const { api, seen } = cluster([]);
    const text = await deleteObjects(api, { ...base, name: "web-0", gracePeriodSeconds: 0, dryRun: true });
    expect(text).toBe("Would delete (dry run) pods in shop: web-0.");
    expect(JSON.parse(String(seen[0]?.body))).toEqual({
      kind: "DeleteOptions",
      apiVersion: "v1",
      gracePeriodSeconds: 0,
      dryRun: ["All"],
    });
  });

  it(`needs confirm set to the count when a selector matches more than ${CONFIRM_ABOVE}`, async () => {
    const names = ["a", "b", "c", "d"];
    const { api, seen } = cluster(names);
    const err = await deleteObjects(api, { ...base, labelSelector: "app=web" }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      message: "This would delete 4 pods in namespace shop: a, b, c, d. Nothing was deleted.",
      hint: "If that is intended, call again with confirm: 4.",
    });
    expect(seen.some((r) => r.method === "DELETE")).toBe(false);
    const text = await deleteObjects(api, { ...base, labelSelector: "app=web", confirm: 4 });
    expect(text).toBe("Deleted pods in shop: a, b, c, d.");
  });

  it("says when nothing matches, and what was deleted before a failure", async () => {
    const { api } = cluster([]);
    expect(await deleteObjects(api, { ...base, labelSelector: "app=none" })).toBe(
      "No pods match app=none in namespace shop; nothing deleted.",
    );
    const { api: partial } = cluster(["a", "b"], "b");
    await expect(deleteObjects(partial, { ...base, labelSelector: "app=web" })).rejects.toThrow(
      /^Deleted a; then Forbidden: kube-mcp's identity on cluster test may not delete Pod b in namespace shop/,
    );
  });

  it("wants exactly one of name and labelSelector", async () => {
    const { api } = cluster([]);
    await expect(deleteObjects(api, base)).rejects.toThrow("Give exactly one of name or labelSelector.");
    await expect(deleteObjects(api, { ...base, name: "a", labelSelector: "x=y" })).rejects.toThrow(
      "Give exactly one of name or labelSelector.",
    );
  });
});
