import fc from 'fast-check';
import { PRIORITIES, type Priority, VENDOR_SOURCES, type VendorSource } from '../../src/complaints/complaint';
import { isMajor, type MajorRule, normalizePriority } from '../../src/complaints/complaint.major';

type Vendor = VendorSource | 'generic';

describe('normalizePriority', () => {
  const table: [Vendor, unknown, Priority][] = [
    // Zendesk: labels, any casing; null when unset; "-" when a trigger renders an unset priority
    ['zendesk', 'urgent', 'urgent'],
    ['zendesk', 'HIGH', 'high'],
    ['zendesk', 'Normal', 'normal'],
    ['zendesk', 'low', 'low'],
    ['zendesk', null, 'normal'],
    ['zendesk', '-', 'normal'],
    // Freshdesk: 1..4 as numbers or strings, or labels
    ['freshdesk', 1, 'low'],
    ['freshdesk', 2, 'normal'],
    ['freshdesk', 3, 'high'],
    ['freshdesk', 4, 'urgent'],
    ['freshdesk', '1', 'low'],
    ['freshdesk', ' 4 ', 'urgent'],
    ['freshdesk', 'Low', 'low'],
    ['freshdesk', 'Medium', 'normal'],
    ['freshdesk', 'High', 'high'],
    ['freshdesk', 'URGENT', 'urgent'],
    ['freshdesk', 5, 'normal'],
    // Jira: names, default-scheme ids 1..5 counting down, or the whole priority object
    ['jira', 'Highest', 'urgent'],
    ['jira', 'High', 'high'],
    ['jira', 'Medium', 'normal'],
    ['jira', 'Low', 'low'],
    ['jira', 'Lowest', 'low'],
    ['jira', 'lowest', 'low'],
    ['jira', '1', 'urgent'],
    ['jira', '2', 'high'],
    ['jira', '3', 'normal'],
    ['jira', '4', 'low'],
    ['jira', '5', 'low'],
    ['jira', 1, 'urgent'],
    ['jira', { id: '1', name: 'Highest' }, 'urgent'],
    ['jira', { id: '10100' }, 'normal'],
    ['jira', { id: '2' }, 'high'],
    // Jira's classic scheme, still used by many sites
    ['jira', 'Blocker', 'urgent'],
    ['jira', 'CRITICAL', 'urgent'],
    ['jira', 'Major', 'high'],
    ['jira', 'Minor', 'low'],
    ['jira', 'Trivial', 'low'],
    ['jira', { id: '3', name: 'Critical' }, 'urgent'],
    // A renamed default priority keeps its id
    ['jira', { id: '1', name: 'P1 - Drop everything' }, 'urgent'],
    ['jira', { id: '10100', name: 'Whenever' }, 'normal'],
    // The classic names mean nothing special elsewhere
    ['zendesk', 'critical', 'normal'],
    // Intercom: old binary flag and the newer scale
    ['intercom', 'priority', 'high'],
    ['intercom', 'not_priority', 'normal'],
    ['intercom', 'Not Priority', 'normal'],
    ['intercom', 'none', 'normal'],
    ['intercom', 'low', 'low'],
    ['intercom', 'medium', 'normal'],
    ['intercom', 'high', 'high'],
    ['intercom', 'urgent', 'urgent'],
    // Help Scout has no priority at all
    ['helpscout', undefined, 'normal'],
    ['helpscout', 'urgent', 'normal'],
    // Generic: Pickup's own labels; numbers mean nothing without a vendor
    ['generic', 'urgent', 'urgent'],
    ['generic', 'Low', 'low'],
    ['generic', 4, 'normal'],
    // Unknown or missing
    ['zendesk', undefined, 'normal'],
    ['freshdesk', '', 'normal'],
    ['intercom', true, 'normal'],
    ['freshdesk', Number.NaN, 'normal'],
  ];

  it.each(table)('%s %p → %s', (vendor, raw, expected) => {
    expect(normalizePriority(raw, vendor)).toBe(expected);
  });

  it('always answers one of the four priorities, whatever it is given', () => {
    const vendor = fc.constantFrom<Vendor>(...VENDOR_SOURCES, 'generic');
    fc.assert(
      fc.property(fc.anything(), vendor, (raw, v) => {
        expect(PRIORITIES).toContain(normalizePriority(raw, v));
      }),
    );
  });
});

describe('isMajor', () => {
  const defaults: MajorRule = { priorities: ['urgent', 'high'], tags: ['exec-callback', 'vip'] };

  const table: [string, Priority, string[], MajorRule, boolean][] = [
    ['urgent priority', 'urgent', [], defaults, true],
    ['high priority', 'high', [], defaults, true],
    ['normal priority, no tags', 'normal', [], defaults, false],
    ['low priority, unrelated tags', 'low', ['billing', 'refund'], defaults, false],
    ['a major tag', 'low', ['billing', 'vip'], defaults, true],
    ['a major tag in another casing', 'normal', ['Exec-Callback'], defaults, true],
    ['a major tag with stray spaces', 'normal', ['  VIP '], defaults, true],
    ['a tag that only contains a major tag', 'normal', ['vip-lounge'], defaults, false],
    ['custom rule: urgent only', 'high', [], { priorities: ['urgent'], tags: [] }, false],
    ['custom rule: urgent only, urgent', 'urgent', [], { priorities: ['urgent'], tags: [] }, true],
    ['custom rule written in capitals', 'high', ['Churn-Risk'], { priorities: [' HIGH '], tags: [] }, true],
    ['custom rule tag', 'low', ['churn-risk'], { priorities: [], tags: ['Churn-Risk'] }, true],
    ['empty rule', 'urgent', ['vip'], { priorities: [], tags: [] }, false],
  ];

  it.each(table)('%s', (_, priority, tags, rule, expected) => {
    expect(isMajor({ priority, tags }, rule)).toBe(expected);
  });
});
