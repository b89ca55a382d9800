/** The messaging limit as the Senders API writes it, read as a number per 24 hours. */
import { parseMessagingLimit } from '../../../cli/notify/sender';

it.each([
  ['1K Customers/24hr', 1000],
  ['10K Customers/24hr', 10_000],
  ['100K Customers/24hr', 100_000],
  ['250 Customers/24hr', 250],
  ['Unlimited', Number.POSITIVE_INFINITY],
  ['TIER_UNKNOWN', undefined],
])('%j -> %s', (text, limit) => {
  expect(parseMessagingLimit(text)).toBe(limit);
});
