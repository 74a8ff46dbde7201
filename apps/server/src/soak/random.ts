/**
 * A seeded generator (mulberry32), one per client, so that a run's choices follow from its `--seed`.
 * (The interleaving of the clients still varies from run to run: that is what a soak is for.)
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list");
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** One of `choices`, in proportion to its weight. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
    let r = this.next() * total;
    for (const [choice, weight] of choices) {
      if (r < weight) return choice;
      r -= weight;
    }
    return choices[choices.length - 1]![0];
  }

  /** An id of the right shape that no row has (a ULID with time zero: ids made now never start so). */
  missingId(prefix: "ws" | "prof"): string {
    const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let tail = "";
    for (let i = 0; i < 16; i++) tail += alphabet[this.int(0, 31)];
    return `${prefix}_0000000000${tail}`;
  }
}
