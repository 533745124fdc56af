// Which namespaces and kinds a cluster shows at all: `namespaces: { allow, deny }` (globs) and
// `kinds: { deny }`, global and per cluster. Every layer must agree (a namespace is visible only when each
// layer's allow list, if any, names it and no deny list does), so a cluster can narrow the global policy
// but never widen it, and a hub's layers travel to its agents on top of theirs. Judged on API paths, where
// every request of every tool (and the passthrough's proxy) goes, and on list bodies, whose rows from
// hidden namespaces or of hidden kinds are dropped.
import { ScopeRules } from "../config/policy-rules.js";

export { ScopeRules };

const globRe = (g: string) =>
  new RegExp(
    `^${g
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  );

/** A resource as a request or an object names it: its group and plural resource, or only its Kind. */
export interface KindRef {
  group: string;
  resource?: string;
  kind?: string;
}

/** "secret" / "secrets" / "Secret" for one Kind: close enough to match a deny entry written either way. */
const kindNames = (kind: string) => {
  const k = kind.toLowerCase();
  return [k, `${k}s`, `${k}es`, k.endsWith("y") ? `${k.slice(0, -1)}ies` : k];
};

function kindMatches(entry: string, ref: KindRef): boolean {
  const e = entry.toLowerCase();
  const slash = e.indexOf("/");
  let group: string | undefined;
  let name = e;
  if (slash >= 0) [group, name] = [e.slice(0, slash), e.slice(slash + 1)];
  else if (e.includes(".")) [name, group] = [e.slice(0, e.indexOf(".")), e.slice(e.indexOf(".") + 1)];
  if (group !== undefined && !globRe(group).test(ref.group)) return false;
  if (name === "*") return true;
  const names = [
    ...(ref.resource ? [ref.resource.toLowerCase()] : []),
    ...(ref.kind ? kindNames(ref.kind) : []),
  ];
  return names.some((n) => globRe(name).test(n));
}

export class Scope {
  constructor(
    readonly cluster: string,
    readonly layers: readonly ScopeRules[],
  ) {}

  /** The layers that say anything, from the global configuration and the cluster's (or a hub's) own. */
  static of(cluster: string, ...layers: (ScopeRules | undefined)[]): Scope {
    // Only the two fields: a layer may be a whole configuration, and layers travel to agents.
    const said = layers
      .filter(
        (l): l is ScopeRules =>
          !!(l?.namespaces?.allow || l?.namespaces?.deny?.length || l?.kinds?.deny?.length),
      )
      .map((l) => ({
        ...(l.namespaces ? { namespaces: l.namespaces } : {}),
        ...(l.kinds ? { kinds: l.kinds } : {}),
      }));
    return new Scope(cluster, said);
  }

  with(layers: readonly ScopeRules[] | undefined): Scope {
    return layers?.length ? Scope.of(this.cluster, ...this.layers, ...layers) : this;
  }

  get active(): boolean {
    return this.layers.length > 0;
  }

  get limitsNamespaces(): boolean {
    return this.layers.some((l) => l.namespaces?.allow || l.namespaces?.deny?.length);
  }

  /** Why namespace `ns` is hidden, or undefined when it is shown. */
  namespaceHidden(ns: string): string | undefined {
    for (const l of this.layers) {
      const deny = l.namespaces?.deny?.find((g) => globRe(g).test(ns));
      if (deny) return `namespace ${ns} is hidden on cluster ${this.cluster} (namespaces.deny ${deny})`;
      const allow = l.namespaces?.allow;
      if (allow && !allow.some((g) => globRe(g).test(ns)))
        return `namespace ${ns} is hidden on cluster ${this.cluster} (not in namespaces.allow ${allow.join(", ") || "[]"})`;
    }
    return undefined;
  }

  /** Why a kind is hidden, or undefined when it is shown. */
  kindHidden(ref: KindRef): string | undefined {
    for (const l of this.layers) {
      const deny = l.kinds?.deny?.find((e) => kindMatches(e, ref));
      if (deny) {
        const what = ref.resource ? `${ref.resource}${ref.group ? `.${ref.group}` : ""}` : `kind ${ref.kind}`;
        return `${what} is hidden on cluster ${this.cluster} (kinds.deny ${deny})`;
      }
    }
    return undefined;
  }

  /** One line for clusters_list: "namespaces deny kube-*; kinds deny secrets", or "-". */
  summary(): string {
    const parts = this.layers.flatMap((l) => [
      ...(l.namespaces?.allow ? [`namespaces allow ${l.namespaces.allow.join(",") || "none"}`] : []),
      ...(l.namespaces?.deny?.length ? [`namespaces deny ${l.namespaces.deny.join(",")}`] : []),
      ...(l.kinds?.deny?.length ? [`kinds deny ${l.kinds.deny.join(",")}`] : []),
    ]);
    return parts.length ? [...new Set(parts)].join("; ") : "-";
  }
}

export const NO_SCOPE = (cluster: string) => new Scope(cluster, []);
