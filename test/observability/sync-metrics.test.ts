/** The Partner Center sync's metrics, as the composition root records them from the sync's events. */
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/observability/metrics.js';

describe('Partner Center sync metrics', () => {
  it('count syncs by outcome, and give the customers, the last success and the durations', async () => {
    const metrics = new Metrics({ processMetrics: false });
    let text = await metrics.render();
    for (const outcome of ['ok', 'failed', 'skipped']) {
      expect(text).toContain(`partner_center_syncs_total{outcome="${outcome}"} 0`);
    }
    metrics.partnerCenterSynced(5000, 780, new Date('2025-03-01T10:42:00.000Z'));
    metrics.partnerCenterSyncFailed(12);
    metrics.partnerCenterSyncSkipped();
    metrics.partnerCenterSyncSkipped();
    text = await metrics.render();
    expect(text).toContain('partner_center_syncs_total{outcome="ok"} 1');
    expect(text).toContain('partner_center_syncs_total{outcome="failed"} 1');
    expect(text).toContain('partner_center_syncs_total{outcome="skipped"} 2');
    expect(text).toContain('partner_center_sync_customers 5000');
    expect(text).toContain('partner_center_last_sync_success_seconds 1740825720');
    expect(text).toContain('partner_center_sync_duration_seconds_count 2');
    expect(text).toContain('partner_center_sync_duration_seconds_sum 792');
  });
});
