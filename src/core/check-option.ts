// The checks every factory runs on its numeric options, with one wording: a bad option
// throws a RangeError naming it and the value it got.

/** `value` when it is an integer of at least 1; otherwise throws naming `name`. */
export function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

/** `value` when it is a finite number above 0; otherwise throws naming `name`. */
export function positiveNumber(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}

/** `value` when it is a finite number of 0 or more; otherwise throws naming `name`. */
export function nonNegativeNumber(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0)
    throw new RangeError(`${name} must be a number >= 0, got ${value}`);
  return value;
}
