import fc from 'fast-check';
import { MAX_MESSAGE_UNITS, truncateMessage } from '../../lib/message-length';
import { escapeXml, messagingResponse } from '../../lib/twiml';
import { parseTwiml } from '../support/twiml';

describe('messagingResponse', () => {
  it('writes one <Message> per entry with Body and Media', () => {
    const xml = messagingResponse([{ body: 'a & b <c>' }, { body: 'pic', mediaUrl: 'https://x.io/a.png?x=1&y=2' }]);
    expect(parseTwiml(xml)).toEqual([
      { body: 'a & b <c>', media: [] },
      { body: 'pic', media: ['https://x.io/a.png?x=1&y=2'] },
    ]);
  });

  it('writes an empty <Response> for no messages', () => {
    expect(messagingResponse([])).toBe('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
  });

  it('is well-formed for any text, and keeps every body within 1600 characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 2500 }), (body) => {
        const [message] = parseTwiml(messagingResponse([{ body }]));
        expect((message!.body ?? '').length).toBeLessThanOrEqual(MAX_MESSAGE_UNITS);
      }),
      { numRuns: 300 },
    );
  });
});

describe('escapeXml and truncate', () => {
  it('escapes markup, drops characters XML cannot hold and replaces lone surrogates', () => {
    expect(escapeXml(`<a href="x">'&'</a>\u0000\u0007\uffff`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
    expect(escapeXml('a\ud800b\udc00c😀')).toBe('a\ufffdb\ufffdc😀');
  });

  it('cuts to 1600 UTF-16 units (as Twilio counts), never inside a surrogate pair, and marks the cut', () => {
    const emoji = '😀'.repeat(1700);
    const cut = truncateMessage(emoji);
    expect(cut.length).toBeLessThanOrEqual(1600);
    expect(cut.isWellFormed()).toBe(true);
    expect(cut.endsWith('…')).toBe(true);
    expect(Array.from(cut)).toHaveLength(799 + 1);
    const mixed = 'a' + '😀'.repeat(900);
    expect(truncateMessage(mixed)).toHaveLength(1600);
    expect(truncateMessage(mixed).isWellFormed()).toBe(true);
    expect(truncateMessage('short')).toBe('short');
    expect(truncateMessage('x'.repeat(1600))).toBe('x'.repeat(1600));
  });
});
