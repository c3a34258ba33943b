// A whole classroom's state as text, and back: the engine's books, the ledger, the desks, compliance, the bots'
// random streams and valuations, students and their orders. Written for snapshots (a restart loads the latest and
// replays the journal after it) and for the state hash (two classrooms with the same history encode to the same
// text).
//
// Why generic rather than a snapshot method per class: the state lives in some forty classes across the engine,
// the market and the simulator, and a hand-written snapshot of each would have to be kept in step with every field
// added later; a missed field would make a restored classroom drift silently. The codec instead walks the object
// graph from the classroom: every object is written once (shared references stay shared), with its class, its
// own fields, Map and Set entries in order, typed arrays as base64.
//
// Two kinds of thing are not state and are not written:
// - functions (listeners, sinks, callbacks): they are wiring, set up by constructors. A restore therefore starts
//   from a freshly built classroom with the same settings, pairs its objects with the snapshot's along the same
//   fields, and writes the snapshot's data into them in place, so that every closure still points at the object
//   it was built for. An array that holds functions (a listener list) is wiring as a whole.
// - the static inputs (the catalogue, calendar, registry and scenario the classroom was built from, `statics`):
//   written as references by position, so a snapshot does not repeat megabytes of registry.
//
// Objects the fresh classroom lacks (orders placed, accounts opened since) are created from the prototype of
// their class, found in the list of classes given (classroom-state.ts).

/** What a codec needs to know of the classes in the graph. */
export interface CodecClasses {
  /** Classes whose instances may be missing from a fresh graph (recreated from their prototype). */
  readonly classes: readonly (abstract new (
    ...args: never[]
  ) => unknown)[];
  /** Per class name, fields that are scratch rather than state (not written; a restore keeps the fresh value). */
  readonly transient: Readonly<Record<string, readonly string[]>>;
  /**
   * The name of the object graph's layout: written into each snapshot, and a snapshot of another layout is refused
   * (SNAP_ERR_LAYOUT) rather than written field by field into objects whose fields mean something else now.
   */
  readonly layout?: string;
}

const NO_CLASSES: CodecClasses = { classes: [], transient: {} };

export class SnapshotError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

type Enc = null | boolean | number | string | { readonly [k: string]: unknown };
/** One written object: its tag ('O' plain, 'N' null-prototype, 'A' array, 'M' map, 'S' set, 'T:<type>' typed
 * array, 'C:<class>' class instance) and its content. */
type Rec = [string, unknown];

interface Encoded {
  readonly v: 1;
  readonly layout?: string;
  readonly objs: Rec[];
}

const TYPED: Record<string, new (b: ArrayBuffer) => ArrayBufferView> = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
};

/** Ids of static objects, cached per sequence of static roots (a trie of weak maps: one per root in turn). */
interface CacheNode {
  ids: Map<object, number> | null;
  readonly next: WeakMap<object, CacheNode>;
}
const staticCache = new WeakMap<object, CacheNode>();

/** Ids of every object reachable from the static roots, in a fixed walk order. */
function staticIds(statics: readonly object[]): Map<object, number> {
  let level = staticCache;
  let node: CacheNode | undefined;
  for (const s of statics) {
    node = level.get(s);
    if (node === undefined) {
      node = { ids: null, next: new WeakMap() };
      level.set(s, node);
    }
    level = node.next;
  }
  if (node === undefined) return new Map();
  if (node.ids !== null) return node.ids;
  const ids = new Map<object, number>();
  const stack: unknown[] = [...statics].reverse();
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object' || ids.has(v)) continue;
    ids.set(v, ids.size);
    const kids = children(v);
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
  }
  node.ids = ids;
  return ids;
}

function children(v: object): unknown[] {
  if (ArrayBuffer.isView(v)) return [];
  if (v instanceof Map) {
    const out: unknown[] = [];
    for (const [k, x] of v) out.push(k, x);
    return out;
  }
  if (v instanceof Set) return [...v];
  if (Array.isArray(v)) return v;
  return Object.values(v);
}

function tagOf(v: object): string {
  if (Array.isArray(v)) return 'A';
  if (v instanceof Map) return 'M';
  if (v instanceof Set) return 'S';
  if (ArrayBuffer.isView(v)) return `T:${v.constructor.name}`;
  const proto = Object.getPrototypeOf(v);
  if (proto === null) return 'N';
  if (proto === Object.prototype) return 'O';
  return `C:${proto.constructor.name}`;
}

const WIRING = { '#f': 0 };

/** The state under `root` as JSON text (deterministic: the same state gives the same text). */
export function encodeState(root: object, statics: readonly object[], codec: CodecClasses = NO_CLASSES): string {
  const sIds = staticIds(statics);
  const ids = new Map<object, number>();
  const objs: Rec[] = [];
  const queue: object[] = [];
  const ref = (v: unknown): Enc => {
    switch (typeof v) {
      case 'number':
        return Number.isFinite(v) && !Object.is(v, -0) ? v : { '#n': Object.is(v, -0) ? '-0' : String(v) };
      case 'string':
      case 'boolean':
        return v;
      case 'undefined':
        return { '#u': 0 };
      case 'bigint':
        return { '#b': v.toString() };
      case 'function':
        return WIRING;
      case 'symbol':
        throw new SnapshotError('SNAP_ERR_TYPE', 'a symbol cannot be part of a snapshot');
    }
    if (v === null) return null;
    const o = v as object;
    const s = sIds.get(o);
    if (s !== undefined) return { '#s': s };
    if (Array.isArray(o) && o.some((x) => typeof x === 'function')) return WIRING;
    let id = ids.get(o);
    if (id === undefined) {
      id = ids.size;
      ids.set(o, id);
      queue.push(o);
    }
    return { '#r': id };
  };
  ref(root);
  for (let i = 0; i < queue.length; i++) {
    const o = queue[i]!;
    const tag = tagOf(o);
    let body: unknown;
    if (tag === 'A') body = (o as unknown[]).map(ref);
    else if (tag === 'M') {
      const flat: Enc[] = [];
      for (const [k, x] of o as Map<unknown, unknown>) flat.push(ref(k), ref(x));
      body = flat;
    } else if (tag === 'S') body = [...(o as Set<unknown>)].map(ref);
    else if (tag.startsWith('T:')) {
      const t = o as ArrayBufferView;
      body = Buffer.from(t.buffer, t.byteOffset, t.byteLength).toString('base64');
    } else {
      const rec: Record<string, Enc> = {};
      const skip = tag.startsWith('C:') ? codec.transient[tag.slice(2)] : undefined;
      for (const k of Object.keys(o))
        if (skip === undefined || !skip.includes(k)) rec[k] = ref((o as Record<string, unknown>)[k]);
      body = rec;
    }
    objs.push([tag, body]);
  }
  const out: Encoded = codec.layout === undefined ? { v: 1, objs } : { v: 1, layout: codec.layout, objs };
  return JSON.stringify(out);
}

function isRef(e: unknown, key: string): e is Record<string, number> {
  return e !== null && typeof e === 'object' && key in (e as object);
}

/**
 * Writes a snapshot's state into `root`, a classroom freshly built with the same settings (and so the same wiring).
 * Throws SnapshotError when the snapshot does not fit it; `root` is then unusable and should be dropped.
 */
export function restoreState(
  root: object,
  statics: readonly object[],
  text: string,
  codec: CodecClasses = NO_CLASSES,
): void {
  let parsed: Encoded;
  try {
    parsed = JSON.parse(text) as Encoded;
  } catch {
    throw new SnapshotError('SNAP_ERR_FORMAT', 'the snapshot is not JSON');
  }
  if (parsed?.v !== 1 || !Array.isArray(parsed.objs) || parsed.objs.length === 0)
    throw new SnapshotError('SNAP_ERR_FORMAT', 'the snapshot has no objects or an unknown version');
  if (parsed.layout !== codec.layout)
    throw new SnapshotError(
      'SNAP_ERR_LAYOUT',
      `the snapshot is of layout ${parsed.layout ?? '(unnamed)'}, this build reads ${codec.layout ?? '(unnamed)'}`,
    );
  const objs = parsed.objs;
  const staticMap = staticIds(statics);
  const staticList = [...staticMap.keys()];
  const target: (object | undefined)[] = new Array(objs.length);
  const used = new Set<object>();

  // 1. Pair the snapshot's objects with the fresh graph's, along the same fields from the root.
  const protos = new Map<string, object>(codec.classes.map((c) => [`C:${c.name}`, c.prototype as object]));
  const pairs: [number, object][] = [[0, root]];
  while (pairs.length > 0) {
    const [id, fresh] = pairs.pop()!;
    const rec = objs[id];
    // A static object is shared and never written: where the snapshot holds its own object in a static's place (a
    // rule the instructor changed, say), that one is created afresh instead.
    if (rec === undefined || target[id] !== undefined || used.has(fresh) || staticMap.has(fresh)) continue;
    if (tagOf(fresh) !== rec[0]) continue;
    target[id] = fresh;
    used.add(fresh);
    const [tag, body] = rec;
    const pairWith = (e: unknown, f: unknown): void => {
      if (isRef(e, '#r') && f !== null && typeof f === 'object') pairs.push([e['#r']!, f]);
    };
    if (tag === 'A') {
      const b = body as unknown[];
      for (let i = 0; i < b.length; i++) pairWith(b[i], (fresh as unknown[])[i]);
    } else if (tag === 'M') {
      const flat = body as unknown[];
      const m = fresh as Map<unknown, unknown>;
      for (let i = 0; i < flat.length; i += 2) {
        const k = flat[i];
        if (k === null || typeof k !== 'object') pairWith(flat[i + 1], m.get(k));
      }
    } else if (tag === 'O' || tag === 'N' || tag.startsWith('C:')) {
      const rec2 = body as Record<string, unknown>;
      for (const k of Object.keys(rec2)) pairWith(rec2[k], (fresh as Record<string, unknown>)[k]);
    }
  }
  // 2. Create what the fresh graph lacks.
  for (let id = 0; id < objs.length; id++) {
    const [tag, body] = objs[id]!;
    if (tag.startsWith('T:')) {
      const Ctor = TYPED[tag.slice(2)];
      if (Ctor === undefined) throw new SnapshotError('SNAP_ERR_TYPE', `unknown typed array ${tag.slice(2)}`);
      const bytes = Buffer.from(body as string, 'base64');
      const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      const fresh = target[id] as (ArrayBufferView & { set?: (a: ArrayLike<number>) => void }) | undefined;
      const data = new Ctor(buf);
      if (fresh !== undefined && fresh.byteLength === data.byteLength && fresh.set !== undefined)
        fresh.set(data as unknown as ArrayLike<number>);
      else target[id] = data;
      continue;
    }
    if (target[id] !== undefined) continue;
    if (tag === 'O') target[id] = {};
    else if (tag === 'N') target[id] = Object.create(null) as object;
    else if (tag === 'A') target[id] = [];
    else if (tag === 'M') target[id] = new Map();
    else if (tag === 'S') target[id] = new Set();
    else {
      const proto = protos.get(tag);
      if (proto === undefined)
        throw new SnapshotError(
          'SNAP_ERR_CLASS',
          `the snapshot holds a ${tag.slice(2)}, a class the codec's list does not name`,
        );
      target[id] = Object.create(proto) as object;
    }
  }

  // 3. Write the data.
  const dec = (e: unknown): unknown => {
    if (e === null || typeof e !== 'object') return e;
    const x = e as Record<string, unknown>;
    if ('#r' in x) return target[x['#r'] as number];
    if ('#s' in x) {
      const s = staticList[x['#s'] as number];
      if (s === undefined)
        throw new SnapshotError('SNAP_ERR_STATIC', 'the snapshot refers to static data this build lacks');
      return s;
    }
    if ('#n' in x) return x['#n'] === '-0' ? -0 : Number(x['#n']);
    if ('#u' in x) return undefined;
    if ('#b' in x) return BigInt(x['#b'] as string);
    throw new SnapshotError('SNAP_ERR_FORMAT', 'an unknown value in the snapshot');
  };
  for (let id = 0; id < objs.length; id++) {
    const [tag, body] = objs[id]!;
    const o = target[id]!;
    if (tag.startsWith('T:')) continue;
    if (tag === 'A') {
      const a = o as unknown[];
      const b = body as unknown[];
      a.length = b.length;
      for (let i = 0; i < b.length; i++) a[i] = dec(b[i]);
    } else if (tag === 'M') {
      const m = o as Map<unknown, unknown>;
      const flat = body as unknown[];
      m.clear();
      for (let i = 0; i < flat.length; i += 2) m.set(dec(flat[i]), dec(flat[i + 1]));
    } else if (tag === 'S') {
      const s = o as Set<unknown>;
      s.clear();
      for (const e of body as unknown[]) s.add(dec(e));
    } else {
      const rec = body as Record<string, unknown>;
      const obj = o as Record<string, unknown>;
      const keep = tag.startsWith('C:') ? codec.transient[tag.slice(2)] : undefined;
      for (const k of Object.keys(obj))
        if (!(k in rec) && typeof obj[k] !== 'function' && !isWiringArray(obj[k]) && !keep?.includes(k)) delete obj[k];
      for (const k of Object.keys(rec)) {
        const e = rec[k];
        if (isRef(e, '#f')) {
          if (typeof obj[k] !== 'function' && !isWiringArray(obj[k]))
            throw new SnapshotError('SNAP_ERR_WIRING', `${tag.slice(2) || 'an object'}.${k} has no wiring to keep`);
          continue;
        }
        const v = dec(e);
        if (obj[k] !== v) obj[k] = v;
      }
    }
  }
}

function isWiringArray(v: unknown): boolean {
  return Array.isArray(v) && v.some((x) => typeof x === 'function');
}
