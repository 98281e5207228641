// Health probes: one check (http | tcp | command) and the loop that applies Kubernetes' thresholds.
export {
  type HealthProbe,
  PROBE_DEFAULTS,
  type ProbeCheck,
  type ProbeResult,
  type ProbeTarget,
  probeWithDefaults,
} from "./probe.js";
export { runCheck } from "./probe-checks.js";
export { createProber, type ProbePurpose, type Prober, type ProbeTransition } from "./prober.js";
