import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_RESOURCE_THRESHOLDS,
  validateResourceThresholds,
} from '../../../src/core/resources/resource-thresholds.ts';

describe('validateResourceThresholds', () => {
  it('accepts the default thresholds', () => {
    assert.equal(validateResourceThresholds(DEFAULT_RESOURCE_THRESHOLDS), DEFAULT_RESOURCE_THRESHOLDS);
  });

  it('names every bad threshold: critical not above warning, non-positive values', () => {
    assert.throws(
      () =>
        validateResourceThresholds({
          ...DEFAULT_RESOURCE_THRESHOLDS,
          memory_mb: { warning: 2048, critical: 1024 },
          cpu_percent: { warning: 0, critical: 95 },
        }),
      (error: Error) =>
        /memory_mb\.critical \(1024\) must exceed memory_mb\.warning \(2048\)/.test(error.message) &&
        /cpu_percent\.warning must be a positive number/.test(error.message),
    );
    assert.throws(
      () =>
        validateResourceThresholds({
          ...DEFAULT_RESOURCE_THRESHOLDS,
          event_loop_lag_ms: { warning: 100, critical: 100 },
        }),
      /event_loop_lag_ms\.critical/,
    );
  });
});
