/** One classic BPF instruction (`struct sock_filter`). */
export interface BpfInstruction {
  /** Opcode (class | size | mode | op). */
  code: number;
  /** Forward jump offset when the condition holds. */
  jt: number;
  /** Forward jump offset when it does not. */
  jf: number;
  /** Constant operand. */
  k: number;
}

/** Classic BPF opcodes used by the filter (linux/bpf_common.h). */
export const BPF = {
  /** A = u32 at absolute offset k of seccomp_data. */
  LD_W_ABS: 0x20,
  /** pc += k. */
  JA: 0x05,
  /** pc += (A == k) ? jt : jf. */
  JEQ_K: 0x15,
  /** pc += (A >= k, unsigned) ? jt : jf. */
  JGE_K: 0x35,
  /** pc += (A & k) ? jt : jf. */
  JSET_K: 0x45,
  /** Return k. */
  RET_K: 0x06,
} as const;

/** Size in bytes of one encoded `struct sock_filter`. */
export const BPF_INSTRUCTION_SIZE = 8;

/** Encodes instructions as the little-endian `sock_filter` array that `bwrap --seccomp` reads. */
export function encodeBpf(program: readonly BpfInstruction[]): Uint8Array {
  const bytes = new Uint8Array(program.length * BPF_INSTRUCTION_SIZE);
  const view = new DataView(bytes.buffer);
  program.forEach((ins, i) => {
    const at = i * BPF_INSTRUCTION_SIZE;
    view.setUint16(at, ins.code, true);
    view.setUint8(at + 2, ins.jt);
    view.setUint8(at + 3, ins.jf);
    view.setUint32(at + 4, ins.k >>> 0, true);
  });
  return bytes;
}

/** Decodes a little-endian `sock_filter` array (the inverse of {@link encodeBpf}). */
export function decodeBpf(bytes: Uint8Array): BpfInstruction[] {
  if (bytes.length % BPF_INSTRUCTION_SIZE !== 0)
    throw new Error(`BPF program length ${bytes.length} is not a multiple of 8`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: BpfInstruction[] = [];
  for (let at = 0; at < bytes.length; at += BPF_INSTRUCTION_SIZE) {
    out.push({
      code: view.getUint16(at, true),
      jt: view.getUint8(at + 2),
      jf: view.getUint8(at + 3),
      k: view.getUint32(at + 4, true),
    });
  }
  return out;
}

type Target = string | 0;

interface Pending {
  code: number;
  jt: Target;
  jf: Target;
  k: number;
}

/** A tiny assembler with forward labels: jumps name a label (or 0 for "next"). */
export class BpfAssembler {
  private readonly items: Pending[] = [];
  private readonly labels = new Map<string, number>();

  /** Marks the position of the next instruction. */
  label(name: string): this {
    if (this.labels.has(name)) throw new Error(`duplicate BPF label ${name}`);
    this.labels.set(name, this.items.length);
    return this;
  }

  /** Appends one instruction. */
  emit(code: number, k: number, jt: Target = 0, jf: Target = 0): this {
    this.items.push({ code, jt, jf, k: k >>> 0 });
    return this;
  }

  /** Resolves labels into forward offsets; throws on a backward or too-long jump. */
  assemble(): BpfInstruction[] {
    return this.items.map((item, index) => {
      const offset = (target: Target): number => {
        if (target === 0) return 0;
        const at = this.labels.get(target);
        if (at === undefined) throw new Error(`undefined BPF label ${target}`);
        const distance = at - (index + 1);
        if (distance < 0 || distance > 255)
          throw new Error(`BPF jump to ${target} from ${index} is out of range (${distance})`);
        return distance;
      };
      return { code: item.code, jt: offset(item.jt), jf: offset(item.jf), k: item.k };
    });
  }
}
