/** STAND-IN (branch pc-wire): the real live re-check comes from the live-check helper's branch at merge. */
import type { LiveCheck, LiveVerdict } from '../core/live-check.js';
import type { PartnerCenterClient } from './client.js';

export class PartnerCenterLiveCheck implements LiveCheck {
  constructor(private readonly client: PartnerCenterClient) {}

  upgrades(): Promise<LiveVerdict> {
    void this.client;
    return Promise.reject(new Error('PartnerCenterLiveCheck is a stand-in on this branch'));
  }
}
