/** A growable list of 32-bit integers in one typed array: a million entries cost 4 MB, not 8+. */
export class IntList {
  private data: Int32Array;
  private count = 0;

  constructor(initialCapacity = 1024) {
    this.data = new Int32Array(Math.max(1, initialCapacity));
  }

  get length(): number {
    return this.count;
  }

  push(value: number): number {
    if (this.count === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.count] = value;
    this.count += 1;
    return this.count - 1;
  }

  get(index: number): number {
    if (index < 0 || index >= this.count)
      throw new RangeError(`index ${index} out of range 0..${this.count - 1}`);
    return this.data[index] as number;
  }

  set(index: number, value: number): void {
    if (index < 0 || index >= this.count)
      throw new RangeError(`index ${index} out of range 0..${this.count - 1}`);
    this.data[index] = value;
  }

  /** a view of the used part (no copy): valid until the next push */
  view(): Int32Array {
    return this.data.subarray(0, this.count);
  }
}

/** Strings to dense ids and back, so a repeated protocol or name is stored once. */
export class Interner {
  private readonly ids = new Map<string, number>();
  private readonly values: string[] = [];

  get size(): number {
    return this.values.length;
  }

  id(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.ids.set(value, id);
    }
    return id;
  }

  value(id: number): string {
    const value = this.values[id];
    if (value === undefined) throw new RangeError(`no interned string ${id}`);
    return value;
  }
}
