// What a pod spec would let a workload do, found by shape wherever a pod spec sits (Pods, workload
// templates, CronJobs, CRDs that embed one). The checks are the Kubernetes Pod Security Standards'
// "baseline" profile, plus what lets a pod's logs print a secret: Secret imports and a ServiceAccount
// other than the namespace's default (whose token the pod carries).
import type { Finding, Obj } from "./guard.js";
import { isCredentialName } from "./vocabulary.js";

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Capabilities the baseline profile allows containers to add. */
const BASELINE_CAPS = new Set([
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
]);
const SAFE_SYSCTLS = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
]);
const SELINUX_TYPES = new Set([
  "",
  "container_t",
  "container_init_t",
  "container_kvm_t",
  "container_engine_t",
]);
const CRITICAL_PRIORITY = new Set(["system-node-critical", "system-cluster-critical"]);

const MAX_NODES = 50_000;
const MAX_DEPTH = 32;

/**
 * Whether an object is shaped like a pod spec. An operator may fill in the containers itself, so a
 * spec with none yet (or only host settings) counts too.
 */
const isPodSpec = (v: Obj) =>
  Array.isArray(v.containers) ||
  Array.isArray(v.initContainers) ||
  v.hostNetwork === true ||
  v.hostPID === true ||
  v.hostIPC === true ||
  (Array.isArray(v.volumes) && v.volumes.some((x: unknown) => isObj(x) && x.hostPath !== undefined));

/** Every pod spec in an object, found by shape (see isPodSpec). Bounded walk: `cut` when it stopped short. */
function podSpecs(root: unknown): { found: Obj[]; cut: boolean } {
  const found: Obj[] = [];
  let budget = MAX_NODES;
  let cut = false;
  const walk = (v: unknown, depth: number) => {
    if (--budget < 0 || depth > MAX_DEPTH) {
      cut = true;
      return;
    }
    if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1);
      return;
    }
    if (!isObj(v)) return;
    if (isPodSpec(v)) found.push(v);
    for (const x of Object.values(v)) if (typeof x === "object" && x !== null) walk(x, depth + 1);
  };
  walk(root, 0);
  return { found, cut };
}

function containersOf(spec: Obj): { c: Obj; where: string }[] {
  return ["containers", "initContainers", "ephemeralContainers"].flatMap((field) =>
    (Array.isArray(spec[field]) ? spec[field] : [])
      .filter(isObj)
      .map((c: Obj) => ({ c, where: `container ${String(c.name ?? "?")}` })),
  );
}

/** The findings of every pod spec in `obj`, and of the annotations beside each (a Pod's, a template's). */
export function podSpecFindings(obj: unknown): Finding[] {
  const specs = podSpecs(obj);
  const annotations = podAnnotations(obj);
  // A pod spec past the walk's bounds (behind a padded list, nested too deep) is never judged: fail closed.
  const cut = specs.cut || annotations.cut;
  return [
    ...specs.found.flatMap(findingsOf),
    ...annotations.out,
    ...(cut
      ? [
          {
            rule: "podSecurity" as const,
            what: "is too large or too deeply nested for kube-mcp to check its pod specs",
          },
        ]
      : []),
  ];
}

// The annotation spellings of seccomp and AppArmor. The API server copies them into the fields only
// when it creates a Pod, so on a template they still decide the profile of every pod made from it.
const PROFILE_ANNOTATION =
  /^(container\.apparmor\.security\.beta\.kubernetes\.io\/|(container\.)?seccomp\.security\.alpha\.kubernetes\.io\/)/;

function podAnnotations(root: unknown): { out: Finding[]; cut: boolean } {
  const out: Finding[] = [];
  let budget = MAX_NODES;
  let cut = false;
  const walk = (v: unknown, depth: number) => {
    if (typeof v !== "object" || v === null) return;
    if (--budget < 0 || depth > MAX_DEPTH) {
      cut = true;
      return;
    }
    if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1);
      return;
    }
    const o = v as Obj;
    if (isObj(o.spec) && isPodSpec(o.spec) && isObj(o.metadata) && isObj(o.metadata.annotations))
      for (const [k, val] of Object.entries(o.metadata.annotations))
        if (PROFILE_ANNOTATION.test(k) && /^unconfined$/i.test(String(val).trim()))
          out.push({
            rule: "podSecurity",
            what: `runs without ${k.includes("apparmor") ? "AppArmor" : "seccomp"} (annotation ${k}) (outside the baseline Pod Security Standard)`,
          });
    for (const x of Object.values(o)) walk(x, depth + 1);
  };
  walk(root, 0);
  return { out, cut };
}

function findingsOf(spec: Obj): Finding[] {
  const out: Finding[] = [];
  const psa = (what: string) =>
    out.push({ rule: "podSecurity", what: `${what} (outside the baseline Pod Security Standard)` });
  for (const f of ["hostNetwork", "hostPID", "hostIPC"])
    if (spec[f] === true) psa(`uses the node's ${f.slice(4)} namespace (${f})`);
  const psc = isObj(spec.securityContext) ? spec.securityContext : {};
  secContext(psc, "the pod", psa);
  for (const s of Array.isArray(psc.sysctls) ? psc.sysctls : [])
    if (isObj(s) && !SAFE_SYSCTLS.has(String(s.name))) psa(`sets the unsafe sysctl ${String(s.name)}`);
  if (isObj(psc.windowsOptions) && psc.windowsOptions.hostProcess === true)
    psa("runs as a Windows host process");

  for (const v of Array.isArray(spec.volumes) ? spec.volumes : []) {
    if (!isObj(v)) continue;
    const name = String(v.name ?? "?");
    if (v.hostPath) psa(`mounts a path of the node (hostPath volume ${name})`);
    // Deprecated, and it runs git on the node with the repository's hooks (CVE-2024-10220).
    if (v.gitRepo) psa(`clones a git repository on the node (gitRepo volume ${name})`);
    if (isObj(v.secret))
      secretRef(out, `mounts Secret ${String(v.secret.secretName ?? "?")} (volume ${name})`);
    for (const src of isObj(v.projected) && Array.isArray(v.projected.sources) ? v.projected.sources : [])
      if (isObj(src) && isObj(src.secret))
        secretRef(out, `mounts Secret ${String(src.secret.name ?? "?")} (projected volume ${name})`);
    if (isObj(v.csi) && (v.csi.nodePublishSecretRef || /secret/i.test(String(v.csi.driver ?? ""))))
      secretRef(out, `mounts secrets through the CSI driver ${String(v.csi.driver ?? "?")} (volume ${name})`);
  }

  for (const { c, where } of containersOf(spec)) {
    const sc = isObj(c.securityContext) ? c.securityContext : {};
    if (sc.privileged === true) psa(`runs ${where} privileged`);
    // Container runtimes upper-case a capability and add CAP_ themselves; judge it as they will.
    for (const cap of isObj(sc.capabilities) && Array.isArray(sc.capabilities.add) ? sc.capabilities.add : [])
      if (!BASELINE_CAPS.has(String(cap).trim().toUpperCase().replace(/^CAP_/, "")))
        psa(`adds the capability ${String(cap)} to ${where}`);
    secContext(sc, where, psa);
    for (const p of Array.isArray(c.ports) ? c.ports : [])
      if (isObj(p) && typeof p.hostPort === "number" && p.hostPort !== 0)
        psa(`binds host port ${p.hostPort} in ${where}`);
    for (const e of Array.isArray(c.env) ? c.env : [])
      if (isObj(e) && isObj(e.valueFrom) && isObj(e.valueFrom.secretKeyRef))
        secretRef(
          out,
          `reads Secret ${String(e.valueFrom.secretKeyRef.name ?? "?")} into env ${String(e.name)} of ${where}`,
        );
    for (const e of Array.isArray(c.env) ? c.env : []) {
      const ref = isObj(e) && isObj(e.valueFrom) ? e.valueFrom.configMapKeyRef : undefined;
      // Redaction treats a ConfigMap key with a credential name as a secret; so does the guard.
      if (isObj(ref) && isCredentialName(String(ref.key ?? "")))
        secretRef(
          out,
          `reads the credential key ${String(ref.key)} of ConfigMap ${String(ref.name ?? "?")} into env ${String(e.name)} of ${where}`,
        );
    }
    for (const e of Array.isArray(c.envFrom) ? c.envFrom : [])
      if (isObj(e) && isObj(e.secretRef))
        secretRef(out, `imports Secret ${String(e.secretRef.name ?? "?")} as env of ${where}`);
  }

  // Either field decides: the API server fills an empty serviceAccountName from serviceAccount.
  for (const sa of new Set([spec.serviceAccountName, spec.serviceAccount]))
    if (typeof sa === "string" && sa !== "" && sa !== "default")
      out.push({
        rule: "serviceAccounts",
        what: `runs as the ServiceAccount ${sa}, whose permissions and token the pod would carry`,
      });
  if (typeof spec.priorityClassName === "string" && CRITICAL_PRIORITY.has(spec.priorityClassName))
    out.push({
      rule: "deletes",
      what: `uses the priority class ${spec.priorityClassName}, which preempts (stops) other pods`,
    });
  return out;
}

function secretRef(out: Finding[], what: string): void {
  out.push({ rule: "secretRefs", what: `${what}; its logs could print it` });
}

function secContext(sc: Obj, where: string, psa: (what: string) => void): void {
  const se = isObj(sc.seLinuxOptions) ? sc.seLinuxOptions : undefined;
  if (se && (!SELINUX_TYPES.has(String(se.type ?? "")) || se.user || se.role))
    psa(`sets custom SELinux options for ${where}`);
  if (sc.procMount !== undefined && sc.procMount !== "Default") psa(`unmasks /proc for ${where}`);
  if (isObj(sc.seccompProfile) && sc.seccompProfile.type === "Unconfined")
    psa(`runs ${where} without seccomp`);
  if (isObj(sc.appArmorProfile) && sc.appArmorProfile.type === "Unconfined")
    psa(`runs ${where} without AppArmor`);
  if (isObj(sc.windowsOptions) && sc.windowsOptions.hostProcess === true)
    psa(`runs ${where} as a Windows host process`);
}
