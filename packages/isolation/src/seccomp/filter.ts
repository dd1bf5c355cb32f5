import { BPF, type BpfInstruction, BpfAssembler } from './bpf.js';
import { AUDIT_ARCH, DENIED_SYSCALLS, type SeccompArch, SYSCALLS, X32_SYSCALL_BIT } from './syscalls.js';

/** seccomp return actions (linux/seccomp.h). */
export const SECCOMP_RET = {
  KILL_PROCESS: 0x80000000,
  ERRNO: 0x00050000,
  ALLOW: 0x7fff0000,
} as const;

/** errno values the filter returns. */
export const ERRNO = { EPERM: 1, ENOSYS: 38 } as const;

/** ioctl requests denied whatever the fd: pushing input into a terminal, and the Linux console multiplexer. */
export const DENIED_IOCTLS = { TIOCSTI: 0x5412, TIOCLINUX: 0x541c } as const;

/** clone flag bits the filter inspects. */
export const CLONE_FLAGS = { CLONE_NEWUSER: 0x10000000, CLONE_THREAD: 0x00010000 } as const;

/** personality() values allowed (Linux, the 32-bit/uname26 variants, and the query 0xffffffff). */
export const ALLOWED_PERSONALITIES: readonly number[] = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

/** Options of {@link buildSeccompFilter}. */
export interface SeccompFilterOptions {
  /** Forbid new processes: fork/vfork and clone without CLONE_THREAD return EPERM (`exec: none`). */
  denyNewProcesses?: boolean;
}

/** Offset of `seccomp_data.nr`. */
const OFFSET_NR = 0;
/** Offset of `seccomp_data.arch`. */
const OFFSET_ARCH = 4;
/** Offset of the low 32 bits of `seccomp_data.args[i]` (little-endian hosts). */
const argLow = (i: number) => 16 + 8 * i;

/**
 * Builds the seccomp program as classic BPF: checks the architecture (x86_64 or aarch64; anything
 * else, and the x32 ABI, kills the process), then denies the dangerous syscalls with EPERM,
 * TIOCSTI/TIOCLINUX ioctls (low 32 bits of the request), clone with CLONE_NEWUSER, personality
 * changes, and answers clone3 with ENOSYS so libc falls back to the inspectable clone.
 */
export function buildSeccompFilter(options: SeccompFilterOptions = {}): BpfInstruction[] {
  const asm = new BpfAssembler();
  const arches = Object.keys(AUDIT_ARCH) as SeccompArch[];
  asm.emit(BPF.LD_W_ABS, OFFSET_ARCH);
  arches.forEach((arch, i) => {
    asm.emit(BPF.JEQ_K, AUDIT_ARCH[arch], `${arch}`, i === arches.length - 1 ? 'kill' : 0);
  });
  asm.label('kill').emit(BPF.RET_K, SECCOMP_RET.KILL_PROCESS);
  for (const arch of arches) emitArch(asm, arch, options);
  return asm.assemble();
}

function nr(name: string, arch: SeccompArch): number | undefined {
  return SYSCALLS[name]?.[arch];
}

function emitArch(asm: BpfAssembler, arch: SeccompArch, options: SeccompFilterOptions): void {
  const L = (name: string) => `${arch}.${name}`;
  asm.label(arch).emit(BPF.LD_W_ABS, OFFSET_NR);
  if (arch === 'x86_64') {
    // x32 syscalls (bit 30) reach different kernel entry points than the table below: refuse them,
    // except nr -1 (0xffffffff), which some runtimes use as a harmless probe.
    asm.emit(BPF.JGE_K, X32_SYSCALL_BIT, L('x32'), 0);
  }
  const denied = [...DENIED_SYSCALLS];
  if (options.denyNewProcesses) denied.push('fork', 'vfork');
  for (const name of denied) {
    const number = nr(name, arch);
    if (number !== undefined) asm.emit(BPF.JEQ_K, number, L('eperm'), 0);
  }
  asm.emit(BPF.JEQ_K, nr('clone3', arch) as number, L('enosys'), 0);
  asm.emit(BPF.JEQ_K, nr('ioctl', arch) as number, L('ioctl'), 0);
  asm.emit(BPF.JEQ_K, nr('clone', arch) as number, L('clone'), 0);
  asm.emit(BPF.JEQ_K, nr('personality', arch) as number, L('personality'), 0);
  asm.emit(BPF.RET_K, SECCOMP_RET.ALLOW);

  // ioctl(fd, request): the kernel truncates request to 32 bits, so compare only the low word.
  asm.label(L('ioctl')).emit(BPF.LD_W_ABS, argLow(1));
  asm.emit(BPF.JEQ_K, DENIED_IOCTLS.TIOCSTI, L('eperm'), 0);
  asm.emit(BPF.JEQ_K, DENIED_IOCTLS.TIOCLINUX, L('eperm'), L('allow'));

  // clone(flags, …) on both arches: flags is args[0]; the kernel uses its low 32 bits.
  asm.label(L('clone')).emit(BPF.LD_W_ABS, argLow(0));
  if (options.denyNewProcesses) {
    asm.emit(BPF.JSET_K, CLONE_FLAGS.CLONE_NEWUSER, L('eperm'), 0);
    asm.emit(BPF.JSET_K, CLONE_FLAGS.CLONE_THREAD, L('allow'), L('eperm'));
  } else {
    asm.emit(BPF.JSET_K, CLONE_FLAGS.CLONE_NEWUSER, L('eperm'), L('allow'));
  }

  asm.label(L('personality')).emit(BPF.LD_W_ABS, argLow(0));
  for (const value of ALLOWED_PERSONALITIES) asm.emit(BPF.JEQ_K, value, L('allow'), 0);
  asm.emit(BPF.RET_K, SECCOMP_RET.ERRNO | ERRNO.EPERM);

  if (arch === 'x86_64') {
    asm.label(L('x32')).emit(BPF.JEQ_K, 0xffffffff, L('enosys'), L('kill'));
  }
  asm.label(L('allow')).emit(BPF.RET_K, SECCOMP_RET.ALLOW);
  asm.label(L('eperm')).emit(BPF.RET_K, SECCOMP_RET.ERRNO | ERRNO.EPERM);
  asm.label(L('enosys')).emit(BPF.RET_K, SECCOMP_RET.ERRNO | ERRNO.ENOSYS);
  asm.label(L('kill')).emit(BPF.RET_K, SECCOMP_RET.KILL_PROCESS);
}
