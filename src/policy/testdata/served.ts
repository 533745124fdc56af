// The test bed's fixture objects as an API server returns them after a client-side `kubectl apply`:
// Secret stringData turned into base64 data, the applied object copied (in clear text) into the
// last-applied annotation, and managedFields present. That is the worst case redaction has to face.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { CANARY_FORMS, FIXTURES_DIR } from "../../../testbed/lib/fixtures.js";

export type Obj = Record<string, unknown>;

export function fixtureObjects(file?: string): Obj[] {
  const files = file ? [file] : readdirSync(FIXTURES_DIR).filter((f) => f.endsWith(".yaml"));
  return files.flatMap((f) =>
    parseAllDocuments(readFileSync(join(FIXTURES_DIR, f), "utf8"))
      .map((d) => d.toJS() as unknown)
      .filter((o): o is Obj => typeof o === "object" && o !== null),
  );
}

export function fixture(kind: string, name: string): Obj {
  const found = fixtureObjects().find((o) => o.kind === kind && (o.metadata as Obj).name === name);
  if (!found) throw new Error(`no fixture ${kind}/${name}`);
  return served(found);
}

export function served(applied: Obj): Obj {
  const { stringData, ...rest } = applied;
  const meta = applied.metadata as Obj;
  const obj: Obj = {
    ...rest,
    metadata: {
      ...meta,
      uid: "5f0c8a52-1d9e-4b1e-9a57-0c1f2d3e4f50",
      resourceVersion: "4242",
      annotations: {
        ...(meta.annotations as Obj | undefined),
        "kubectl.kubernetes.io/last-applied-configuration": `${JSON.stringify(applied)}\n`,
      },
      managedFields: [
        { manager: "kubectl-client-side-apply", operation: "Update", fieldsType: "FieldsV1", fieldsV1: {} },
      ],
    },
  };
  if (applied.kind === "Secret" && stringData) {
    const data = Object.entries(stringData as Record<string, string>).map(([k, v]) => [
      k,
      Buffer.from(v).toString("base64"),
    ]);
    obj.data = Object.fromEntries(data);
  }
  return obj;
}

export { CANARY_FORMS };

export function leakedCanaries(value: unknown): string[] {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return CANARY_FORMS.filter((form) => text.includes(form));
}
