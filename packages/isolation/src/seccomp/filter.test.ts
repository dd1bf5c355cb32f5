import { existsSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BPF, decodeBpf, encodeBpf } from './bpf.js';
import { buildSeccompFilter, CLONE_FLAGS, ERRNO, SECCOMP_RET } from './filter.js';
import { runSeccompProgram } from './interpreter.js';
import { AUDIT_ARCH, DENIED_SYSCALLS, type SeccompArch, SYSCALLS } from './syscalls.js';

const EPERM = SECCOMP_RET.ERRNO | ERRNO.EPERM;
const ENOSYS = SECCOMP_RET.ERRNO | ERRNO.ENOSYS;
const ARCHES: SeccompArch[] = ['x86_64', 'aarch64'];
const program = buildSeccompFilter();
const noExec = buildSeccompFilter({ denyNewProcesses: true });

const call = (prog: typeof program, arch: SeccompArch, name: string, args: bigint[] = []) => {
  const nr = SYSCALLS[name]?.[arch];
  if (nr === undefined) throw new Error(`${name} has no number on ${arch}`);
  return runSeccompProgram(prog, { arch: AUDIT_ARCH[arch], nr, args });
};
const allKnownNumbers = (arch: SeccompArch) =>
  new Set(Object.values(SYSCALLS).flatMap((n) => (n[arch] === undefined ? [] : [n[arch] as number])));

describe('the generated seccomp BPF program', () => {
  it('encodes as 8-byte little-endian sock_filter structs and decodes back', () => {
    const bytes = encodeBpf(program);
    expect(bytes.length).toBe(program.length * 8);
    expect(decodeBpf(bytes)).toEqual(program);
    // first instruction: BPF_LD|BPF_W|BPF_ABS of seccomp_data.arch (offset 4)
    expect([...bytes.subarray(0, 8)]).toEqual([0x20, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00]);
    expect(program.length).toBeLessThan(4096); // BPF_MAXINSNS
  });

  it('kills the process on an unknown architecture (i386, arm, riscv64)', () => {
    for (const arch of [0x40000003, 0x40000028, 0xc00000f3, 0]) {
      expect(runSeccompProgram(program, { arch, nr: 0 })).toBe(SECCOMP_RET.KILL_PROCESS);
    }
  });

  it('kills x32-ABI syscalls on x86_64 but answers nr -1 with ENOSYS', () => {
    expect(runSeccompProgram(program, { arch: AUDIT_ARCH.x86_64, nr: 0x40000000 + 1 })).toBe(SECCOMP_RET.KILL_PROCESS);
    expect(runSeccompProgram(program, { arch: AUDIT_ARCH.x86_64, nr: 0x40000000 + 16 })).toBe(SECCOMP_RET.KILL_PROCESS);
    expect(runSeccompProgram(program, { arch: AUDIT_ARCH.x86_64, nr: -1 })).toBe(ENOSYS);
  });

  for (const arch of ARCHES) {
    describe(arch, () => {
      it('denies every listed syscall with EPERM', () => {
        for (const name of DENIED_SYSCALLS) {
          if (SYSCALLS[name]?.[arch] === undefined) continue;
          expect(call(program, arch, name), name).toBe(EPERM);
        }
      });

      it('answers clone3 with ENOSYS so libc falls back to clone', () => {
        expect(call(program, arch, 'clone3')).toBe(ENOSYS);
      });

      it('denies TIOCSTI and TIOCLINUX comparing only the low 32 bits of the request', () => {
        expect(call(program, arch, 'ioctl', [0n, 0x5412n])).toBe(EPERM);
        expect(call(program, arch, 'ioctl', [0n, 0x541cn])).toBe(EPERM);
        expect(call(program, arch, 'ioctl', [0n, 0x5412n | (1n << 32n)])).toBe(EPERM);
        expect(call(program, arch, 'ioctl', [0n, 0x541cn | (0xffffffffn << 32n)])).toBe(EPERM);
        expect(call(program, arch, 'ioctl', [0n, 0x5413n])).toBe(SECCOMP_RET.ALLOW); // TIOCGWINSZ
        expect(call(program, arch, 'ioctl', [0n, 0x5401n])).toBe(SECCOMP_RET.ALLOW); // TCGETS
      });

      it('denies clone with CLONE_NEWUSER and allows ordinary forks and threads', () => {
        expect(call(program, arch, 'clone', [BigInt(CLONE_FLAGS.CLONE_NEWUSER | 17)])).toBe(EPERM);
        expect(call(program, arch, 'clone', [BigInt(CLONE_FLAGS.CLONE_NEWUSER) | (1n << 40n)])).toBe(EPERM);
        expect(call(program, arch, 'clone', [17n])).toBe(SECCOMP_RET.ALLOW); // SIGCHLD: fork()
        expect(call(program, arch, 'clone', [0x3d0f00n])).toBe(SECCOMP_RET.ALLOW); // pthread_create flags
      });

      it('allows only the harmless personality values', () => {
        expect(call(program, arch, 'personality', [0xffffffffn])).toBe(SECCOMP_RET.ALLOW);
        expect(call(program, arch, 'personality', [0n])).toBe(SECCOMP_RET.ALLOW);
        expect(call(program, arch, 'personality', [0x0040000n])).toBe(EPERM); // ADDR_NO_RANDOMIZE
        expect(call(program, arch, 'personality', [0x0400000n])).toBe(EPERM); // READ_IMPLIES_EXEC
      });

      it('allows every syscall number it does not mention (property)', () => {
        const mentioned = allKnownNumbers(arch);
        fc.assert(
          fc.property(
            fc.integer({ min: 0, max: 1023 }),
            fc.array(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), { maxLength: 6 }),
            (nr, args) => {
              fc.pre(!mentioned.has(nr));
              return runSeccompProgram(program, { arch: AUDIT_ARCH[arch], nr, args }) === SECCOMP_RET.ALLOW;
            },
          ),
          { numRuns: 500 },
        );
      });

      it('under exec: none, allows threads but denies new processes', () => {
        expect(call(noExec, arch, 'clone', [0x3d0f00n])).toBe(SECCOMP_RET.ALLOW); // CLONE_THREAD set
        expect(call(noExec, arch, 'clone', [17n])).toBe(EPERM);
        expect(call(noExec, arch, 'clone', [BigInt(CLONE_FLAGS.CLONE_NEWUSER | CLONE_FLAGS.CLONE_THREAD)])).toBe(EPERM);
        if (arch === 'x86_64') {
          expect(call(noExec, arch, 'fork')).toBe(EPERM);
          expect(call(noExec, arch, 'vfork')).toBe(EPERM);
        }
        expect(call(noExec, arch, 'ptrace')).toBe(EPERM);
        expect(call(program, arch, 'clone', [17n])).toBe(SECCOMP_RET.ALLOW);
      });
    });
  }

  it('uses only the opcodes the interpreter and the kernel agree on', () => {
    const known = new Set<number>([BPF.LD_W_ABS, BPF.JEQ_K, BPF.JGE_K, BPF.JSET_K, BPF.RET_K]);
    for (const ins of [...program, ...noExec]) expect(known.has(ins.code)).toBe(true);
  });
});

describe('the syscall tables', () => {
  // Cross-checked against the kernel UAPI headers (Debian: linux-libc-dev) so a typo cannot hide.
  // Where distributions put them: Debian's multiarch path, the plain path (Fedora, Arch), a cross
  // package (an aarch64 host checking the x86_64 table); the generic table exists everywhere.
  const candidates: Record<SeccompArch, string[]> = {
    x86_64: [
      '/usr/include/x86_64-linux-gnu/asm/unistd_64.h',
      '/usr/include/asm/unistd_64.h',
      '/usr/x86_64-linux-gnu/include/asm/unistd_64.h',
    ],
    aarch64: ['/usr/include/asm-generic/unistd.h'],
  };
  const headers = Object.fromEntries(
    ARCHES.map((arch) => [arch, candidates[arch].find((path) => existsSync(path)) ?? (candidates[arch][0] as string)]),
  ) as Record<SeccompArch, string>;
  for (const arch of ARCHES) {
    it(`match ${headers[arch]}`, () => {
      expect(
        existsSync(headers[arch]),
        `${candidates[arch].join(' or ')} (apt-get install linux-libc-dev; on another architecture, linux-libc-dev-amd64-cross)`,
      ).toBe(true);
      const text = readFileSync(headers[arch], 'utf8');
      for (const [name, numbers] of Object.entries(SYSCALLS)) {
        const match = new RegExp(`#define __NR(?:3264)?_${name}\\s+(\\d+)`).exec(text);
        if (numbers[arch] === undefined) {
          expect(match, `${name} should not exist on ${arch}`).toBeNull();
        } else {
          expect(Number(match?.[1]), `${name} on ${arch}`).toBe(numbers[arch]);
        }
      }
    });
  }
});
