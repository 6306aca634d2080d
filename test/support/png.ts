import assert from 'node:assert/strict';
import { pngSize } from './emulator/index.ts';

/** What a test checks of a chart: a real PNG, its pixel size, and that it stays small. */
export function assertPng(
  data: Uint8Array,
  expect: { readonly width?: number; readonly height?: number; readonly maxBytes?: number } = {},
): { width: number; height: number } {
  const size = pngSize(data);
  assert.ok(size !== undefined, 'the bytes start with the PNG signature and an IHDR chunk');
  assert.ok(size.width > 0 && size.height > 0, `a PNG of ${size.width}×${size.height}`);
  if (expect.width !== undefined) assert.equal(size.width, expect.width);
  if (expect.height !== undefined) assert.equal(size.height, expect.height);
  assert.ok(
    data.byteLength <= (expect.maxBytes ?? 200 * 1024),
    `${data.byteLength} bytes is under the limit`,
  );
  return size;
}
