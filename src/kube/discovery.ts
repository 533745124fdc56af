// Lazy, cached API discovery. Aggregated discovery (apidiscovery.k8s.io/v2) returns every group, version
// and resource in two requests, so a cluster with hundreds of CRDs costs nothing at startup and little
// on first use. Servers without it fall back to per-group-version discovery.
import type { KubeApi } from "./api.js";

export interface ApiResource {
  group: string;
  version: string;
  /** Plural resource name, the path segment. */
  resource: string;
  kind: string;
  singular: string;
  shortNames: string[];
  namespaced: boolean;
  verbs: string[];
  subresources: string[];
  /** Whether this is the group's preferred version. */
  preferred: boolean;
}

const AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList, application/json";
const TTL_MS = 5 * 60_000;

interface AggResource {
  resource: string;
  responseKind?: { kind?: string };
  scope?: string;
  singularResource?: string;
  shortNames?: string[];
  verbs?: string[];
  subresources?: { subresource: string }[];
}
interface AggGroup {
  metadata?: { name?: string };
  versions?: { version: string; resources?: AggResource[] }[];
}

export class Discovery {
  private cache?: { at: number; resources: Promise<ApiResource[]> };

  constructor(private readonly api: KubeApi) {}

  /** All resources; cached for a few minutes. `refresh` forces a reload (e.g. after an unknown kind). */
  resources(refresh = false, signal?: AbortSignal): Promise<ApiResource[]> {
    if (refresh || !this.cache || Date.now() - this.cache.at > TTL_MS) {
      const resources = this.load(signal);
      this.cache = { at: Date.now(), resources };
      resources.catch(() => {
        if (this.cache?.resources === resources) this.cache = undefined;
      });
    }
    return this.cache.resources;
  }

  private async load(signal?: AbortSignal): Promise<ApiResource[]> {
    const [core, groups] = await Promise.all(
      ["/api", "/apis"].map((path) =>
        this.api.json<{ kind?: string; items?: AggGroup[] }>({
          path,
          headers: { accept: AGGREGATED },
          ...(signal ? { signal } : {}),
        }),
      ),
    );
    if (core?.kind === "APIGroupDiscoveryList" && groups?.kind === "APIGroupDiscoveryList") {
      return [...(core.items ?? []), ...(groups.items ?? [])].flatMap((g) => fromAggregated(g));
    }
    return this.loadLegacy(signal);
  }

  private async loadLegacy(signal?: AbortSignal): Promise<ApiResource[]> {
    const sig = signal ? { signal } : {};
    const groups = await this.api.json<{
      groups: {
        name: string;
        versions: { groupVersion: string; version: string }[];
        preferredVersion?: { version: string };
      }[];
    }>({ path: "/apis", ...sig });
    const targets = [
      { group: "", version: "v1", path: "/api/v1", preferred: true },
      ...groups.groups.flatMap((g) =>
        g.versions.map((v) => ({
          group: g.name,
          version: v.version,
          path: `/apis/${v.groupVersion}`,
          preferred: v.version === (g.preferredVersion?.version ?? g.versions[0]?.version),
        })),
      ),
    ];
    const lists = await Promise.all(
      targets.map(async (t) => {
        try {
          const list = await this.api.json<{
            resources: {
              name: string;
              kind: string;
              namespaced: boolean;
              singularName?: string;
              shortNames?: string[];
              verbs?: string[];
            }[];
          }>({ path: t.path, ...sig });
          return { t, list: list.resources };
        } catch {
          return { t, list: [] };
        }
      }),
    );
    return lists.flatMap(({ t, list }) => {
      const subs = new Map<string, string[]>();
      for (const r of list.filter((r) => r.name.includes("/"))) {
        const [base, sub] = r.name.split("/") as [string, string];
        subs.set(base, [...(subs.get(base) ?? []), sub]);
      }
      return list
        .filter((r) => !r.name.includes("/"))
        .map((r) => ({
          group: t.group,
          version: t.version,
          resource: r.name,
          kind: r.kind,
          singular: r.singularName || r.kind.toLowerCase(),
          shortNames: r.shortNames ?? [],
          namespaced: r.namespaced,
          verbs: r.verbs ?? [],
          subresources: subs.get(r.name) ?? [],
          preferred: t.preferred,
        }));
    });
  }
}

function fromAggregated(g: AggGroup): ApiResource[] {
  const group = g.metadata?.name ?? "";
  return (g.versions ?? []).flatMap((v, i) =>
    (v.resources ?? []).map((r) => ({
      group,
      version: v.version,
      resource: r.resource,
      kind: r.responseKind?.kind ?? "",
      singular: r.singularResource || (r.responseKind?.kind ?? "").toLowerCase(),
      shortNames: r.shortNames ?? [],
      namespaced: r.scope === "Namespaced",
      verbs: r.verbs ?? [],
      subresources: (r.subresources ?? []).map((s) => s.subresource),
      preferred: i === 0,
    })),
  );
}
