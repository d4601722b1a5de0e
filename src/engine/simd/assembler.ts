/**
 * A minimal WebAssembly assembler: just enough to write a few SIMD loops over memory that
 * another module (TensorFlow.js's wasm backend) owns, with no toolchain or dependency.
 *
 * A `Fn` emits a function body through named locals and structured helpers (`forRange`,
 * `ifTrue`); `buildModule` wraps functions into a module that imports its memory as
 * env.memory and exports every function by name. Binary format: WebAssembly core spec 2.0
 * (§5), SIMD opcodes from the fixed-width SIMD proposal as standardised.
 */

export type ValType = 'i32' | 'f32' | 'f64' | 'v128';

const VALTYPE: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** Plain opcodes used by our kernels (core spec §5.4). */
export const OP = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  f32Load: 0x2a,
  f64Load: 0x2b,
  f32Store: 0x38,
  f64Store: 0x39,
  i32Const: 0x41,
  f32Const: 0x43,
  i32Eqz: 0x45,
  i32LtS: 0x48,
  i32LeS: 0x4c,
  i32GeS: 0x4e,
  i32GtS: 0x4a,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32DivU: 0x6e,
  i32And: 0x71,
  i32Or: 0x72,
  i32Shl: 0x74,
  i32ShrU: 0x76,
  f32Add: 0x92,
  f32Sub: 0x93,
  f32Mul: 0x94,
  f64Add: 0xa0,
  f32ConvertI32S: 0xb2,
  f64PromoteF32: 0xbb,
  select: 0x1b,
} as const;

/** SIMD opcodes (prefix 0xFD, then the opcode as a LEB128 u32). */
export const SIMD = {
  load: 0x00,
  store: 0x0b,
  i32x4Splat: 0x11,
  f32x4Splat: 0x13,
  bitselect: 0x52,
  f32x4Gt: 0x44,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Sqrt: 0xe3,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f32x4Max: 0xe9,
} as const;

function u32(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function s32(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function name(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  return [...u32(bytes.length), ...bytes];
}

function vec(items: number[][]): number[] {
  return [...u32(items.length), ...items.flat()];
}

/** One function: typed params and locals by name, and its code as a byte list. */
export class Fn {
  readonly code: number[] = [];
  private readonly index = new Map<string, number>();
  private readonly localTypes: ValType[] = [];

  constructor(
    readonly name: string,
    readonly params: [string, ValType][],
  ) {
    params.forEach(([n], i) => {
      this.index.set(n, i);
    });
  }

  /** Declares locals (all of one type). */
  locals(type: ValType, ...names: string[]): this {
    for (const n of names) {
      if (this.index.has(n)) throw new Error(`${this.name}: local ${n} declared twice`);
      this.index.set(n, this.params.length + this.localTypes.length);
      this.localTypes.push(type);
    }
    return this;
  }

  private slot(n: string): number {
    const i = this.index.get(n);
    if (i === undefined) throw new Error(`${this.name}: unknown local ${n}`);
    return i;
  }

  emit(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }

  get(n: string): this {
    return this.emit(OP.localGet, ...u32(this.slot(n)));
  }

  set(n: string): this {
    return this.emit(OP.localSet, ...u32(this.slot(n)));
  }

  tee(n: string): this {
    return this.emit(OP.localTee, ...u32(this.slot(n)));
  }

  i32(value: number): this {
    return this.emit(OP.i32Const, ...s32(value | 0));
  }

  f32(value: number): this {
    const bytes = new Uint8Array(new Float32Array([value]).buffer);
    return this.emit(OP.f32Const, ...bytes);
  }

  simd(opcode: number): this {
    return this.emit(0xfd, ...u32(opcode));
  }

  /** v128.load at (address on the stack) + offset. */
  loadV(offset = 0): this {
    return this.simd(SIMD.load).emit(...u32(2), ...u32(offset)); // alignment hint 4 bytes
  }

  /** v128.store: [address, value] on the stack. */
  storeV(offset = 0): this {
    return this.simd(SIMD.store).emit(...u32(2), ...u32(offset));
  }

  loadF32(offset = 0): this {
    return this.emit(OP.f32Load, ...u32(2), ...u32(offset));
  }

  storeF32(offset = 0): this {
    return this.emit(OP.f32Store, ...u32(2), ...u32(offset));
  }

  loadF64(offset = 0): this {
    return this.emit(OP.f64Load, ...u32(3), ...u32(offset));
  }

  storeF64(offset = 0): this {
    return this.emit(OP.f64Store, ...u32(3), ...u32(offset));
  }

  /** local += value (i32). */
  addTo(n: string, value: number | string): this {
    this.get(n);
    if (typeof value === 'number') this.i32(value);
    else this.get(value);
    return this.emit(OP.i32Add).set(n);
  }

  /**
   * for (counter = start; counter < end; counter += step) body(). `start`, `end` and `step`
   * are i32 locals or constants; `end` is read on every test.
   */
  forRange(counter: string, start: number | string, end: number | string, step: number | string, body: () => void): this {
    const push = (v: number | string) => (typeof v === 'number' ? this.i32(v) : this.get(v));
    push(start).set(counter);
    this.emit(OP.block, 0x40, OP.loop, 0x40);
    this.get(counter);
    push(end);
    this.emit(OP.i32GeS, OP.brIf, 1);
    body();
    this.get(counter);
    push(step);
    this.emit(OP.i32Add).set(counter);
    this.emit(OP.br, 0, OP.end, OP.end);
    return this;
  }

  /** if (i32 on the stack) body(). */
  ifTrue(body: () => void): this {
    this.emit(OP.if, 0x40);
    body();
    return this.emit(OP.end);
  }

  encodeBody(): number[] {
    // Run-length groups of locals by type, as the format wants.
    const groups: number[][] = [];
    for (let i = 0; i < this.localTypes.length; ) {
      let j = i;
      while (j < this.localTypes.length && this.localTypes[j] === this.localTypes[i]) j++;
      groups.push([...u32(j - i), VALTYPE[this.localTypes[i]!]]);
      i = j;
    }
    const body = [...vec(groups), ...this.code, OP.end];
    return [...u32(body.length), ...body];
  }
}

function section(id: number, contents: number[]): number[] {
  return [id, ...u32(contents.length), ...contents];
}

/** A module importing env.memory and exporting `fns` (which return nothing) by name. */
export function buildModule(fns: Fn[]): Uint8Array<ArrayBuffer> {
  const types = fns.map((f) => [0x60, ...vec(f.params.map(([, t]) => [VALTYPE[t]])), ...u32(0)]);
  const memoryImport = [...name('env'), ...name('memory'), 0x02, 0x00, ...u32(0)]; // limits: min 0, no max
  const bytes = [
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec(types)),
    ...section(2, vec([memoryImport])),
    ...section(3, vec(fns.map((_, i) => u32(i)))),
    ...section(7, vec(fns.map((f, i) => [...name(f.name), 0x00, ...u32(i)]))),
    ...section(10, vec(fns.map((f) => f.encodeBody()))),
  ];
  return new Uint8Array(bytes);
}
