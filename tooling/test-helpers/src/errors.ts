import { expect } from 'vitest';

/** An error class such as `LockError`: anything constructible that yields an `Error`. */
export type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/** Calls `fn`, asserts it throws an instance of `errorClass`, and returns that error; fails the test when `fn` returns. */
export function thrownBy<E extends Error>(errorClass: ErrorClass<E>, fn: () => unknown): E {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(errorClass);
    return error as E;
  }
  throw new Error(`expected a ${errorClass.name}, but nothing was thrown`);
}

/** Awaits `work` (a promise, or a function returning one), asserts it rejects with an instance of `errorClass`, and returns that error. */
export async function rejectedWith<E extends Error>(
  errorClass: ErrorClass<E>,
  work: Promise<unknown> | (() => unknown),
): Promise<E> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (error) {
    expect(error).toBeInstanceOf(errorClass);
    return error as E;
  }
  throw new Error(`expected a ${errorClass.name}, but it succeeded`);
}
