/** STAND-IN (branch pc-wire): the real gateway over createUpgrade comes from another helper's branch at merge. */
import type { UpgradeGateway } from '../core/gateway.js';
import type { Execution } from '../core/ledger.js';
import type { PartnerCenterClient } from './client.js';

export interface PartnerCenterGatewayOptions {
  readonly client: PartnerCenterClient;
  /** Called once Partner Center has carried an upgrade out: the customer is read again into the store. */
  readonly afterUpgrade: (customerId: string) => Promise<void>;
}

export class PartnerCenterGateway implements UpgradeGateway {
  readonly system = 'partner-center' as const;
  readonly judgesEligibility = true;

  constructor(private readonly options: PartnerCenterGatewayOptions) {}

  execute(): Promise<Execution> {
    void this.options;
    return Promise.reject(new Error('PartnerCenterGateway is a stand-in on this branch'));
  }
}
