import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DirectoryError,
  loadDirectoryFile,
  parseDirectory,
  parseDirectoryText,
} from '../../src/directory/load.js';

/** A small valid directory; each test breaks one thing in a fresh copy. */
function validFile() {
  return {
    partner: { name: 'Test CSP' },
    customers: [
      {
        id: 'c-1',
        companyProfile: { companyName: 'Contoso Ltd', domain: 'contoso.onmicrosoft.com' },
        delegatedAdmin: [{ service: 'Office 365', status: 'active' }],
        subscriptions: [
          {
            id: 'sub-001',
            offerId: 'O365_BUSINESS_ESSENTIALS',
            friendlyName: 'HQ',
            quantity: 25,
            status: 'active',
            channel: 'partner',
            isTrial: false,
            addOns: [],
            users: [
              { objectId: 'u-1', name: 'Megan Bowen', email: 'meganb@contoso.onmicrosoft.com' },
              {
                objectId: 'u-2',
                name: 'Alex Wilber',
                email: 'alexw@contoso.onmicrosoft.com',
                disabledServices: ['sharepoint'],
              },
            ],
          },
        ],
      },
      {
        id: 'c-2',
        companyProfile: { companyName: 'Fabrikam Inc', domain: 'fabrikam.onmicrosoft.com' },
        delegatedAdmin: [],
        subscriptions: [
          { id: 'sub-002', offerId: 'O365_E5', quantity: 10, status: 'active', channel: 'direct' },
        ],
      },
    ],
  };
}

type File = ReturnType<typeof validFile>;

function errorOf(mutate: (file: File) => void, source = 'customers.json'): DirectoryError {
  const file = validFile();
  mutate(file);
  try {
    parseDirectory(file, source);
  } catch (error) {
    expect(error).toBeInstanceOf(DirectoryError);
    return error as DirectoryError;
  }
  throw new Error('expected a DirectoryError');
}

const contoso = (f: File) => f.customers[0]! as Record<string, unknown> & File['customers'][0];
const sub = (f: File) => f.customers[0]!.subscriptions[0]! as Record<string, unknown>;

describe('parseDirectory', () => {
  it('accepts a valid file and gives the rules model', () => {
    const data = parseDirectory(validFile(), 'customers.json');
    expect(data.partner.name).toBe('Test CSP');
    expect(data.customers).toHaveLength(2);
    expect(data.customers[0]?.subscriptions[0]?.users?.[1]?.disabledServices).toEqual(['sharepoint']);
    expect(data.customers[1]?.subscriptions[0]?.isTrial).toBeUndefined();
  });

  it('does not enforce the catalog seat maximum (legacy subscriptions exist)', () => {
    const file = validFile();
    sub(file).quantity = 320;
    expect(parseDirectory(file, 'x.json').customers[0]?.subscriptions[0]?.quantity).toBe(320);
  });

  it('names file, customer, subscription and field for an unknown offerId', () => {
    const error = errorOf((f) => (sub(f).offerId = 'O365_E7'));
    expect(error.message).toBe(
      'customers.json: customer "Contoso Ltd" (customers[0]), subscription "sub-001": offerId "O365_E7" is not a catalog offer id',
    );
    expect(error.problems).toHaveLength(1);
  });

  it('reports a bad status with the allowed values', () => {
    const error = errorOf((f) => (sub(f).status = 'activ'));
    expect(error.message).toContain(
      'customers.json: customer "Contoso Ltd" (customers[0]), subscription "sub-001": ',
    );
    expect(error.message).toContain(
      'status "activ" is not one of active, suspended, pending, deleted, expired, disabled',
    );
  });

  it('reports an unknown add-on, service key and delegated admin status', () => {
    const error = errorOf((f) => {
      sub(f).addOns = ['CLOUD_PBX', 'TEAMS'];
      (sub(f).users as { disabledServices?: string[] }[])[0]!.disabledServices = ['teams'];
      contoso(f).delegatedAdmin[0]!.status = 'revoked';
    });
    expect(error.problems).toEqual([
      'customer "Contoso Ltd" (customers[0]): delegatedAdmin[0].status "revoked" is not one of active, expired, terminated, approvalPending',
      'customer "Contoso Ltd" (customers[0]), subscription "sub-001": addOns[1] "TEAMS" is not a catalog offer id',
      expect.stringMatching(
        /subscription "sub-001": users\[0\]\.disabledServices\[0\] "teams" is not a service key/,
      ),
    ]);
  });

  it('accepts what the Partner Center sync writes: delegatedAdmin "unknown", otherSubscriptions, syncedAt', () => {
    const file = validFile();
    const synced = {
      ...file.customers[1]!,
      delegatedAdmin: 'unknown',
      otherSubscriptions: [
        {
          id: 'sub-003',
          kind: 'new-commerce',
          offerId: 'CFQ7TTC0LH18:0001:CFQ7TTC0K971',
          offerName: 'Microsoft 365 Business Basic',
          quantity: 5,
          status: 'active',
        },
      ],
      syncedAt: '2025-03-01T10:42:00.000Z',
    };
    const parsed = parseDirectory({ ...file, customers: [file.customers[0]!, synced] }, 'x.json');
    expect(parsed.customers[1]).toEqual(synced);
  });

  it('reports a wrong delegatedAdmin, other subscription kind and syncedAt', () => {
    const error = errorOf((f) => {
      Object.assign(f.customers[1]!, {
        delegatedAdmin: 'maybe',
        otherSubscriptions: [
          { id: 'x', kind: 'guess', offerId: 'X', offerName: 'X', quantity: 1, status: 'active' },
        ],
        syncedAt: 'yesterday',
      });
    });
    expect(error.problems).toEqual([
      'customer "Fabrikam Inc" (customers[1]): delegatedAdmin must be a list or "unknown", got the string "maybe"',
      expect.stringMatching(
        /otherSubscriptions\[0\]\.kind "guess" is not one of new-commerce, other-product, unknown/,
      ),
      expect.stringMatching(/syncedAt/),
    ]);
  });

  it('reports a duplicate customer id naming both customers', () => {
    const error = errorOf((f) => (f.customers[1]!.id = 'c-1'));
    expect(error.message).toBe(
      'customers.json: customer "Fabrikam Inc" (customers[1]): id "c-1" is used twice: also by customer "Contoso Ltd" (customers[0])',
    );
  });

  it('reports a subscription id used by two customers', () => {
    const error = errorOf((f) => (f.customers[1]!.subscriptions[0]!.id = 'sub-001'));
    expect(error.message).toContain(
      'customers.json: customer "Fabrikam Inc" (customers[1]), subscription "sub-001": id "sub-001" is used twice',
    );
    expect(error.message).toContain('also by customer "Contoso Ltd" (customers[0]), subscriptions[0]');
  });

  it('reports a subscription id used twice by one customer', () => {
    const error = errorOf((f) => {
      const copy = { ...sub(f), users: [] };
      (contoso(f).subscriptions as unknown[]).push(copy);
    });
    expect(error.message).toContain("also by this customer's subscriptions[0]");
  });

  it('reports a user objectId used twice in a subscription', () => {
    const error = errorOf((f) => ((sub(f).users as { objectId: string }[])[1]!.objectId = 'u-1'));
    expect(error.message).toBe(
      'customers.json: customer "Contoso Ltd" (customers[0]), subscription "sub-001": users[1].objectId "u-1" is used twice in this subscription (also users[0])',
    );
  });

  it('allows the same objectId in two subscriptions (one user, two licences)', () => {
    const file = validFile();
    file.customers[1]!.subscriptions[0] = {
      ...file.customers[1]!.subscriptions[0]!,
      users: [{ objectId: 'u-1', name: 'X', email: 'x@fabrikam.onmicrosoft.com' }],
    } as never;
    expect(() => parseDirectory(file, 'x.json')).not.toThrow();
  });

  it('reports a missing companyName by the customer index and id', () => {
    const error = errorOf(
      (f) => delete (contoso(f).companyProfile as Partial<{ companyName: string }>).companyName,
    );
    expect(error.message).toBe(
      'customers.json: customer customers[0] (id "c-1"): companyProfile.companyName is missing',
    );
  });

  it('reports an empty companyName and an empty domain', () => {
    const error = errorOf((f) => {
      contoso(f).companyProfile.companyName = '  ';
      contoso(f).companyProfile.domain = '';
    });
    expect(error.problems).toEqual([
      'customer customers[0] (id "c-1"): companyProfile.companyName must not be empty',
      'customer customers[0] (id "c-1"): companyProfile.domain must not be empty',
    ]);
  });

  it('reports a wrong type', () => {
    const error = errorOf((f) => (sub(f).quantity = 'ten'));
    expect(error.message).toBe(
      'customers.json: customer "Contoso Ltd" (customers[0]), subscription "sub-001": quantity must be a number, got the string "ten"',
    );
  });

  it('reports a fractional or negative quantity', () => {
    expect(errorOf((f) => (sub(f).quantity = 2.5)).message).toContain(
      'quantity must be a whole number, got the number 2.5',
    );
    expect(errorOf((f) => (sub(f).quantity = -1)).message).toContain(
      'quantity must be 0 or more, got the number -1',
    );
  });

  it('reports an unknown (misspelt) field', () => {
    const error = errorOf((f) => (sub(f).addons = ['CLOUD_PBX']));
    expect(error.message).toContain('subscription "sub-001": unknown field "addons"');
  });

  it('names a subscription without an id by its index', () => {
    const error = errorOf((f) => delete sub(f).id);
    expect(error.message).toBe(
      'customers.json: customer "Contoso Ltd" (customers[0]), subscription subscriptions[0]: id is missing',
    );
  });

  it('reports problems outside customers and of whole entries', () => {
    expect(errorOf((f) => (f.partner.name = '')).message).toBe(
      'customers.json: partner.name must not be empty',
    );
    expect(errorOf((f) => ((f.customers as unknown[])[1] = 'Fabrikam')).message).toBe(
      'customers.json: customer customers[1]: the customer must be an object, got the string "Fabrikam"',
    );
    expect(() => parseDirectory([], 'customers.json')).toThrow(
      'customers.json: the file must be an object, got a list',
    );
  });

  it('lists every problem, one per line', () => {
    const error = errorOf((f) => {
      sub(f).offerId = 'O365_E7';
      sub(f).quantity = 'ten';
      f.customers[1]!.subscriptions[0]!.channel = 'reseller';
    });
    const lines = error.message.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.every((l) => l.startsWith('customers.json: customer "'))).toBe(true);
    expect(lines[2]).toContain(
      'customer "Fabrikam Inc" (customers[1]), subscription "sub-002": channel "reseller"',
    );
  });
});

describe('parseDirectoryText and loadDirectoryFile', () => {
  it('reports invalid JSON with the file name and position', () => {
    const text = '{\n  "partner": { "name": "X" },\n  "customers": [,]\n}';
    expect(() => parseDirectoryText(text, 'customers.json')).toThrow(DirectoryError);
    expect(() => parseDirectoryText(text, 'customers.json')).toThrow(
      /^customers\.json: not valid JSON: ValueExpected at line 3, column 17$/,
    );
  });

  it('reports an empty file', () => {
    expect(() => parseDirectoryText('  \n', 'customers.json')).toThrow('customers.json: the file is empty');
  });

  it('accepts a byte-order mark', () => {
    expect(parseDirectoryText(`\uFEFF${JSON.stringify(validFile())}`, 'x.json').customers).toHaveLength(2);
  });

  it('reads a file and names it in errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'directory-'));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(validFile()));
    expect(loadDirectoryFile(good).customers[0]?.companyProfile.companyName).toBe('Contoso Ltd');

    const bad = join(dir, 'customers.json');
    writeFileSync(bad, '{ "partner": ');
    expect(() => loadDirectoryFile(bad)).toThrow(`${bad}: not valid JSON`);

    const missing = join(dir, 'missing.json');
    expect(() => loadDirectoryFile(missing)).toThrow(`${missing}: cannot read the directory file (ENOENT`);
  });
});
