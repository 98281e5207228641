import type { Upstream } from "./types.js";
import { checkUpstreamUrls, targetKey, UpstreamTarget } from "./upstream-target.js";

/**
 * Keeps one `UpstreamTarget` per replica across route-table swaps, so in-flight counts and warm
 * connection pools survive a `setRoutes` that still lists the replica, and replicas that left
 * are drained rather than cut off.
 */
export class UpstreamRegistry {
  private active = new Map<string, UpstreamTarget>();
  private readonly retired = new Map<string, UpstreamTarget>();

  /**
   * Swaps in the replicas of a new route table. Returns a resolver that maps each upstream of
   * that table to its (kept or new) target; targets left out are retired.
   */
  replace(upstreams: readonly Upstream[]): (upstream: Upstream) => UpstreamTarget {
    // Refuse a bad table before touching anything, so the current one stays whole.
    checkUpstreamUrls(upstreams);
    const next = new Map<string, UpstreamTarget>();
    for (const upstream of upstreams) {
      const key = targetKey(upstream);
      if (!next.has(key)) {
        next.set(key, this.reuse(key) ?? new UpstreamTarget(upstream));
      }
    }
    for (const [key, target] of this.active) {
      if (!next.has(key)) {
        target.retire();
        this.retired.set(key, target);
      }
    }
    this.active = next;
    this.forgetDrained();
    return (upstream) => {
      const target = next.get(targetKey(upstream));
      if (target === undefined) {
        throw new Error(`upstream ${upstream.id} was not registered`);
      }
      return target;
    };
  }

  /** In-flight requests on every target of a replica id, retired ones included. */
  outstanding(upstreamId: string): number {
    let total = 0;
    for (const target of this.active.values()) {
      total += target.id === upstreamId ? target.outstanding : 0;
    }
    for (const target of this.retired.values()) {
      total += target.id === upstreamId ? target.outstanding : 0;
    }
    return total;
  }

  destroyAll(): void {
    const all = [...this.active.values(), ...this.retired.values()];
    this.active.clear();
    this.retired.clear();
    for (const target of all) {
      target.destroy();
    }
  }

  /** The periodic check of every target: response deadlines, and idle connections past their time. */
  sweep(now: number): void {
    for (const target of this.active.values()) {
      target.sweep(now);
    }
    for (const target of this.retired.values()) {
      target.sweep(now);
    }
  }

  private reuse(key: string): UpstreamTarget | undefined {
    const kept = this.active.get(key);
    if (kept !== undefined) {
      return kept;
    }
    const comeBack = this.retired.get(key);
    if (comeBack !== undefined) {
      this.retired.delete(key);
      comeBack.reinstate();
    }
    return comeBack;
  }

  private forgetDrained(): void {
    for (const [key, target] of this.retired) {
      if (target.outstanding === 0) {
        this.retired.delete(key);
      }
    }
  }
}
