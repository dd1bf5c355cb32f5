import { userInfo } from 'node:os';

/** Host description stored in a record: OS, architecture (uname naming: x86_64, aarch64) and user. */
export interface HostInfo {
  os: string;
  arch: string;
  user: string;
}

const ARCH_NAMES: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', ia32: 'i686', arm: 'armv7l' };

/** Maps a Node `process.arch` to the uname spelling seed 000 shows (`x86_64`). */
export function normalizeArch(arch: string): string {
  return ARCH_NAMES[arch] ?? arch;
}

/** Describes this host; the user name falls back to `$USER` or the uid when the passwd entry is missing. */
export function describeHost(env: Record<string, string | undefined> = process.env): HostInfo {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = env.USER ?? env.LOGNAME ?? String(process.getuid?.() ?? 'unknown');
  }
  return { os: process.platform, arch: normalizeArch(process.arch), user };
}
