// Time bounds on work measure CPU time, not wall-clock time: the bound is on what the code does, so a
// busy machine (other suites, builds) neither fails a fast implementation nor hides a slow one.

/** Milliseconds of CPU this process has used so far (user and system). */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
