import { positiveInteger } from '../check-option.ts';

/** A fixed-capacity FIFO that overwrites its oldest entry when full. */
export interface RingBuffer<T> {
  readonly capacity: number;
  readonly size: number;
  push(item: T): void;
  /** The newest entry, if any. */
  last(): T | undefined;
  /** Every entry, oldest first (a copy). */
  toArray(): T[];
}

export function createRingBuffer<T>(capacity: number): RingBuffer<T> {
  positiveInteger('ring buffer capacity', capacity);
  const items: (T | undefined)[] = new Array(capacity);
  let start = 0;
  let size = 0;
  return {
    capacity,
    get size() {
      return size;
    },
    push(item) {
      items[(start + size) % capacity] = item;
      if (size < capacity) size += 1;
      else start = (start + 1) % capacity;
    },
    last() {
      return size === 0 ? undefined : items[(start + size - 1) % capacity];
    },
    toArray() {
      const out: T[] = [];
      for (let i = 0; i < size; i += 1) out.push(items[(start + i) % capacity] as T);
      return out;
    },
  };
}
