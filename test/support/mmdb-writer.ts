/**
 * A minimal MaxMind DB writer, for tests only: no writer is installed, and tests need small
 * Country-, ASN- and ipinfo-style databases. Follows https://maxmind.github.io/MaxMind-DB/ :
 * a binary search tree of 24-bit records, 16 zero bytes, the data section (no pointers: each
 * distinct record is written once), then "\xAB\xCD\xEFMaxMind.com" and the metadata map.
 * IPv6 databases hold IPv4 networks at ::a.b.c.d/96+n, where readers look for them.
 * Values: maps, arrays, utf8 strings, booleans, doubles, and integers as uint16/uint32/uint64
 * (the smallest that fits), or a forced type via `uint(...)`.
 */
import { parseCidr } from "../../src/core/cidr.js";

export type MmdbValue =
  | string
  | number
  | bigint
  | boolean
  | UintValue
  | MmdbValue[]
  | { [key: string]: MmdbValue };

/** An unsigned integer written with a chosen type, as the metadata map requires. */
export class UintValue {
  constructor(
    readonly type: "uint16" | "uint32" | "uint64",
    readonly value: number | bigint,
  ) {}
}

export const uint = (type: UintValue["type"], value: number | bigint): UintValue =>
  new UintValue(type, value);

export interface MmdbEntry {
  /** an address or CIDR; later entries win where they overlap earlier ones */
  network: string;
  data: { [key: string]: MmdbValue };
}

export interface MmdbOptions {
  ipVersion?: 4 | 6;
  databaseType?: string;
  description?: string;
}

const TYPE = { utf8: 2, double: 3, uint16: 5, uint32: 6, map: 7, uint64: 9, array: 11, boolean: 14 };
const MARKER = Buffer.from("abcdef4d61784d696e642e636f6d", "hex");
const RECORD_BITS = 24;

/** The control byte(s): type in the top 3 bits (or 0 and an extended-type byte), then the size. */
function control(type: number, size: number): Buffer {
  const bytes: number[] = [type <= 7 ? type << 5 : 0];
  const sizeBytes: number[] = [];
  if (size < 29) {
    bytes[0] = (bytes[0] as number) | size;
  } else if (size < 29 + 256) {
    bytes[0] = (bytes[0] as number) | 29;
    sizeBytes.push(size - 29);
  } else if (size < 285 + 65536) {
    bytes[0] = (bytes[0] as number) | 30;
    const rest = size - 285;
    sizeBytes.push(rest >> 8, rest & 0xff);
  } else {
    bytes[0] = (bytes[0] as number) | 31;
    const rest = size - 65821;
    sizeBytes.push((rest >> 16) & 0xff, (rest >> 8) & 0xff, rest & 0xff);
  }
  if (type > 7) bytes.push(type - 7);
  return Buffer.from([...bytes, ...sizeBytes]);
}

function unsigned(type: number, value: number | bigint): Buffer {
  let v = BigInt(value);
  if (v < 0n) throw new Error(`negative value ${value} for an unsigned type`);
  const payload: number[] = [];
  while (v > 0n) {
    payload.unshift(Number(v & 0xffn));
    v >>= 8n;
  }
  return Buffer.concat([control(type, payload.length), Buffer.from(payload)]);
}

export function encodeValue(value: MmdbValue): Buffer {
  if (value instanceof UintValue) return unsigned(TYPE[value.type], value.value);
  if (typeof value === "string") {
    const bytes = Buffer.from(value, "utf8");
    return Buffer.concat([control(TYPE.utf8, bytes.length), bytes]);
  }
  if (typeof value === "boolean") return control(TYPE.boolean, value ? 1 : 0);
  if (typeof value === "bigint") return unsigned(TYPE.uint64, value);
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0) {
      const bytes = Buffer.alloc(8);
      bytes.writeDoubleBE(value);
      return Buffer.concat([control(TYPE.double, 8), bytes]);
    }
    if (value <= 0xffff) return unsigned(TYPE.uint16, value);
    if (value <= 0xffffffff) return unsigned(TYPE.uint32, value);
    return unsigned(TYPE.uint64, value);
  }
  if (Array.isArray(value))
    return Buffer.concat([control(TYPE.array, value.length), ...value.map(encodeValue)]);
  const entries = Object.entries(value);
  return Buffer.concat([
    control(TYPE.map, entries.length),
    ...entries.flatMap(([key, item]) => [encodeValue(key), encodeValue(item)]),
  ]);
}

interface TreeNode {
  children: [Slot, Slot];
}
type Slot = TreeNode | { dataOffset: number } | null;

const isNode = (slot: Slot): slot is TreeNode => slot !== null && "children" in slot;

/** The address of a network as bits, placed in the tree's address space. */
function networkBits(network: string, ipVersion: 4 | 6): number[] {
  const cidr = parseCidr(network);
  const bytes = cidr.address.toByteArray();
  const isV4 = bytes.length === 4;
  if (!isV4 && ipVersion === 4) throw new Error(`an IPv4 database cannot hold ${network}`);
  const bits: number[] = [];
  if (isV4 && ipVersion === 6) for (let i = 0; i < 96; i++) bits.push(0);
  for (let i = 0; i < cidr.prefix; i++) bits.push(((bytes[i >> 3] as number) >> (7 - (i & 7))) & 1);
  if (bits.length === 0) throw new Error("a /0 network is not supported");
  return bits;
}

export function buildMmdb(entries: readonly MmdbEntry[], options: MmdbOptions = {}): Buffer {
  const ipVersion = options.ipVersion ?? 6;
  const root: TreeNode = { children: [null, null] };
  const dataBlocks: Buffer[] = [];
  const offsets = new Map<string, number>();
  let dataSize = 0;

  for (const entry of entries) {
    const encoded = encodeValue(entry.data);
    const key = encoded.toString("hex");
    let dataOffset = offsets.get(key);
    if (dataOffset === undefined) {
      dataOffset = dataSize;
      offsets.set(key, dataOffset);
      dataBlocks.push(encoded);
      dataSize += encoded.length;
    }
    const bits = networkBits(entry.network, ipVersion);
    let node = root;
    for (const [depth, bit] of bits.entries()) {
      if (depth === bits.length - 1) {
        node.children[bit as 0 | 1] = { dataOffset };
        break;
      }
      const child = node.children[bit as 0 | 1];
      if (isNode(child)) {
        node = child;
        continue;
      }
      // An empty slot, or a wider network being split: both halves keep what it held.
      const next: TreeNode = { children: [child, child] };
      node.children[bit as 0 | 1] = next;
      node = next;
    }
  }

  // Number the nodes breadth first; the root must be node 0.
  const order: TreeNode[] = [root];
  const index = new Map<TreeNode, number>([[root, 0]]);
  for (let i = 0; i < order.length; i++) {
    for (const child of (order[i] as TreeNode).children) {
      if (isNode(child) && !index.has(child)) {
        index.set(child, order.length);
        order.push(child);
      }
    }
  }
  const nodeCount = order.length;
  const recordValue = (slot: Slot): number => {
    if (slot === null) return nodeCount;
    if (isNode(slot)) return index.get(slot) as number;
    return nodeCount + 16 + slot.dataOffset;
  };
  const tree = Buffer.alloc(nodeCount * 6);
  for (const [i, node] of order.entries()) {
    for (const [side, slot] of node.children.entries()) {
      const value = recordValue(slot);
      if (value >= 2 ** RECORD_BITS) throw new Error("too big for 24-bit records");
      tree.writeUIntBE(value, i * 6 + side * 3, 3);
    }
  }

  const metadata = encodeValue({
    node_count: uint("uint32", nodeCount),
    record_size: uint("uint16", RECORD_BITS),
    ip_version: uint("uint16", ipVersion),
    database_type: options.databaseType ?? "smtpsurvey-test",
    languages: ["en"],
    binary_format_major_version: uint("uint16", 2),
    binary_format_minor_version: uint("uint16", 0),
    build_epoch: uint("uint64", 1_700_000_000n),
    description: { en: options.description ?? "smtpsurvey test database" },
  });
  return Buffer.concat([tree, Buffer.alloc(16), ...dataBlocks, MARKER, metadata]);
}
