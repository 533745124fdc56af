import { describe, expect, it } from "vitest";
import { customColumns, evalPath, JsonPathError, renderTemplate } from "./jsonpath.js";

const list = {
  kind: "List",
  items: [
    {
      metadata: { name: "web-1", labels: { app: "web" } },
      spec: { nodeName: "n1", containers: [{ name: "web", image: "web:1" }] },
      status: { phase: "Running" },
    },
    {
      metadata: { name: "db-0", labels: { app: "db" } },
      spec: {
        nodeName: "n2",
        containers: [
          { name: "pg", image: "pg:16" },
          { name: "exp", image: "exp:2" },
        ],
      },
      status: { phase: "Pending" },
    },
  ],
};

describe("kubectl JSONPath", () => {
  it.each([
    ["{.items[*].metadata.name}", "web-1 db-0"],
    ["{.items[0].spec.nodeName}", "n1"],
    ["{.items[-1:].metadata.name}", "db-0"],
    [
      '{range .items[*]}{.metadata.name}{"\\t"}{.status.phase}{"\\n"}{end}',
      "web-1\tRunning\ndb-0\tPending\n",
    ],
    ['{.items[?(@.status.phase=="Running")].metadata.name}', "web-1"],
    ["{.items[?(@.spec.nodeName)].metadata.name}", "web-1 db-0"],
    ["{..image}", "web:1 pg:16 exp:2"],
    ["{.items[*].metadata.labels['app']}", "web db"],
    ["{.items[1].spec.containers[*].name}", "pg exp"],
    ["names: {.items[*].metadata.name}", "names: web-1 db-0"],
    ["{.items[0].metadata.labels}", '{"app":"web"}'],
    ["{.nothing}", ""],
  ])("%s", (template, expected) => {
    expect(renderTemplate(template, list)).toBe(expected);
  });

  it("renders custom columns", () => {
    expect(
      customColumns("NAME:.metadata.name,NODE:.spec.nodeName,IMAGES:.spec.containers[*].image", list),
    ).toBe("NAME    NODE   IMAGES\nweb-1   n1     web:1\ndb-0    n2     pg:16,exp:2");
  });

  it.each(["{range .items[*]}{.x}", "{.items[", "{end}", "{.a"])("rejects %s", (t) => {
    expect(() => renderTemplate(t, list)).toThrow(JsonPathError);
  });

  it("evaluates paths directly", () => {
    expect(evalPath(list, ".items[*].status.phase")).toEqual(["Running", "Pending"]);
  });
});
