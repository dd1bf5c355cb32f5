import { BPF, type BpfInstruction } from './bpf.js';

/** The `struct seccomp_data` a filter sees for one syscall. */
export interface SeccompData {
  nr: number;
  arch: number;
  instructionPointer?: bigint;
  /** Six 64-bit arguments. */
  args?: bigint[];
}

/**
 * Runs a classic BPF seccomp program against one syscall and returns the action word, the way the
 * kernel would; used to test the generated filter without a kernel.
 */
export function runSeccompProgram(program: readonly BpfInstruction[], data: SeccompData): number {
  const bytes = new Uint8Array(64);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, data.nr, true);
  view.setUint32(4, data.arch >>> 0, true);
  view.setBigUint64(8, data.instructionPointer ?? 0n, true);
  const args = data.args ?? [];
  for (let i = 0; i < 6; i++) view.setBigUint64(16 + 8 * i, BigInt.asUintN(64, args[i] ?? 0n), true);
  let a = 0;
  let pc = 0;
  for (let steps = 0; steps < 4096; steps++) {
    const ins = program[pc];
    if (!ins) throw new Error(`BPF program fell off the end at ${pc}`);
    pc += 1;
    switch (ins.code) {
      case BPF.LD_W_ABS:
        if (ins.k % 4 !== 0 || ins.k + 4 > 64) throw new Error(`BPF load at bad offset ${ins.k}`);
        a = view.getUint32(ins.k, true);
        break;
      case BPF.JA:
        pc += ins.k;
        break;
      case BPF.JEQ_K:
        pc += a === ins.k >>> 0 ? ins.jt : ins.jf;
        break;
      case BPF.JGE_K:
        pc += a >>> 0 >= ins.k >>> 0 ? ins.jt : ins.jf;
        break;
      case BPF.JSET_K:
        pc += (a & ins.k) >>> 0 !== 0 ? ins.jt : ins.jf;
        break;
      case BPF.RET_K:
        return ins.k >>> 0;
      default:
        throw new Error(`BPF opcode 0x${ins.code.toString(16)} not supported at ${pc - 1}`);
    }
  }
  throw new Error('BPF program did not return');
}
