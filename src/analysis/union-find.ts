/**
 * A disjoint-set forest over the integer ids 0..n-1, in typed arrays that double as ids are added.
 * Union by size and path halving give O(α(n)) amortised per operation; typed arrays keep a million
 * nodes in a few megabytes instead of a million objects.
 */
export class UnionFind {
  private parent: Int32Array;
  private sizes: Int32Array;
  private count = 0;

  constructor(initialCapacity = 1024) {
    const capacity = Math.max(1, initialCapacity);
    this.parent = new Int32Array(capacity);
    this.sizes = new Int32Array(capacity);
  }

  /** how many ids exist */
  get size(): number {
    return this.count;
  }

  /** A new singleton set; returns its id (ids are dense, in order of creation). */
  add(): number {
    if (this.count === this.parent.length) this.grow();
    const id = this.count;
    this.parent[id] = id;
    this.sizes[id] = 1;
    this.count += 1;
    return id;
  }

  /** The representative of `id`'s set. */
  find(id: number): number {
    this.check(id);
    const parent = this.parent;
    let x = id;
    // path halving: every other node on the way up points to its grandparent
    while (parent[x] !== x) {
      const up = parent[x] as number;
      const grand = parent[up] as number;
      parent[x] = grand;
      x = grand;
    }
    return x;
  }

  /** Merges the sets of `a` and `b`; returns the representative of the merged set. */
  union(a: number, b: number): number {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return ra;
    const sizes = this.sizes;
    if ((sizes[ra] as number) < (sizes[rb] as number)) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    sizes[ra] = (sizes[ra] as number) + (sizes[rb] as number);
    return ra;
  }

  same(a: number, b: number): boolean {
    return this.find(a) === this.find(b);
  }

  /** The number of ids in `id`'s set. */
  setSize(id: number): number {
    return this.sizes[this.find(id)] as number;
  }

  private check(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.count) {
      throw new RangeError(`union-find id ${id} out of range 0..${this.count - 1}`);
    }
  }

  private grow(): void {
    const capacity = this.parent.length * 2;
    const parent = new Int32Array(capacity);
    parent.set(this.parent);
    const sizes = new Int32Array(capacity);
    sizes.set(this.sizes);
    this.parent = parent;
    this.sizes = sizes;
  }
}
