import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

let lastTime = -1;
const lastRandom = new Uint8Array(10);

function encodeTime(ms: number): string {
  let out = '';
  let t = ms;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32]! + out;
    t = Math.floor(t / 32);
  }
  return out;
}

function encodeRandom(bytes: Uint8Array): string {
  // 80 bits → 16 base32 characters, most significant first.
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >> bits) & 31]!;
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}

/** Adds one to an 80-bit big-endian counter; false when it overflows. */
function increment(bytes: Uint8Array): boolean {
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i]! < 255) {
      bytes[i]! += 1;
      return true;
    }
    bytes[i] = 0;
  }
  return false;
}

/**
 * Returns a new ULID (48-bit millisecond time + 80 random bits, Crockford base32) that sorts after
 * every ULID this process made before, even within one millisecond (monotonic increment).
 */
export function createUlid(now: number = Date.now()): string {
  if (!Number.isInteger(now) || now < 0 || now > 2 ** 48 - 1) throw new RangeError(`ULID time out of range: ${now}`);
  let time = now;
  if (time <= lastTime) {
    time = lastTime;
    if (!increment(lastRandom)) {
      // 2^80 ids in one millisecond cannot happen in practice; move to the next millisecond.
      time += 1;
      randomFillSync(lastRandom);
    }
  } else {
    randomFillSync(lastRandom);
  }
  lastTime = time;
  return encodeTime(time) + encodeRandom(lastRandom);
}

/** True when `value` is a canonical 26-character ULID (uppercase Crockford base32, time ≤ 2^48-1). */
export function isUlid(value: unknown): boolean {
  return typeof value === 'string' && ULID_PATTERN.test(value);
}

/** The millisecond timestamp encoded in a ULID. */
export function ulidTime(id: string): number {
  let t = 0;
  for (const ch of id.slice(0, 10)) t = t * 32 + ALPHABET.indexOf(ch);
  return t;
}
