/** The conversation record's pure transitions and the consent words. */
import fc from 'fast-check';
import { normalizeCommand } from '../../../lib/bot';
import {
  applyInbound,
  applyStatus,
  CONSENT_WORDS,
  consentWord,
  contactDocumentName,
  contactRecordSchema,
  emptyRecord,
  findHandled,
  MAX_HANDLED,
  MAX_SESSIONS,
  releaseEffect,
  ttlFor,
  windowState,
} from '../../../lib/conversation';

const key = { accountSid: 'AC' + '1'.repeat(32), address: 'whatsapp:+14155550100' };
const BOT = 'whatsapp:+14155238886';
const at = new Date('2026-12-01T10:00:00.000Z');

describe('consent words', () => {
  it.each([
    ['STOP', 'opted_out'],
    ['Stop!', 'opted_out'],
    ['unsubscribe', 'opted_out'],
    ['Darme de baja', 'opted_out'],
    ['NO MÁS', 'opted_out'],
    ['Descadastrar', 'opted_out'],
    ['start', 'opted_in'],
    ['Começar', 'opted_in'],
    ['alta', 'opted_in'],
  ])('%j is %s', (text, status) => {
    expect(consentWord(normalizeCommand(text))?.status).toBe(status);
  });

  it.each(['yes', 'stop it now', 'hi', 'menu', 'location'])('%j is neither', (text) => {
    expect(consentWord(normalizeCommand(text))).toBeUndefined();
  });

  it('lists each word once, normalized as the bot normalizes messages', () => {
    for (const word of CONSENT_WORDS.keys()) expect(normalizeCommand(word)).toBe(word);
  });
});

describe('contact records', () => {
  it('names the document by a hash: no digits of the number, stable, per account', () => {
    const name = contactDocumentName(key);
    expect(name).toMatch(/^wa-contact-[0-9a-f]{40}$/);
    expect(name).not.toContain('4155550100');
    expect(contactDocumentName(key)).toBe(name);
    expect(contactDocumentName({ ...key, accountSid: 'AC' + '2'.repeat(32) })).not.toBe(name);
  });

  it('an inbound message opens the window for 24 hours with the number written to, and is remembered', () => {
    const record = applyInbound(emptyRecord(key), { bot: BOT, id: { sid: 'SM1', token: 't1' }, at });
    expect(windowState(record, BOT, new Date(at.getTime() + 23 * 3600_000))).toMatchObject({
      open: true,
      closesAt: '2026-12-02T10:00:00.000Z',
    });
    expect(windowState(record, BOT, new Date(at.getTime() + 24 * 3600_000)).open).toBe(false);
    expect(windowState(record, 'whatsapp:+15005550006', at).open).toBe(false);
    expect(findHandled(record, { sid: 'SM1' })).toBeDefined();
    expect(findHandled(record, { token: 't1' })).toBeDefined();
    expect(findHandled(record, { sid: 'SM2', token: 't2' })).toBeUndefined();
  });

  it('keeps TTL only while no consent is recorded', () => {
    const record = emptyRecord(key);
    expect(ttlFor(record)).toBeGreaterThan(0);
    const out = applyInbound(record, {
      bot: BOT,
      id: { sid: 'SM1' },
      at,
      consent: { status: 'opted_out', keyword: 'stop' },
    });
    expect(out.consent).toMatchObject({ status: 'opted_out', message_sid: 'SM1', source: 'whatsapp_keyword' });
    expect(ttlFor(out)).toBe(0);
  });

  it('stays within Sync’s 16 KiB however many messages and numbers it sees', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 1e6 })), { maxLength: 200 }),
        (messages) => {
          let record = emptyRecord(key);
          for (const [bot, n] of messages) {
            record = applyInbound(record, {
              bot: `whatsapp:+1415555${String(bot).padStart(4, '0')}`,
              id: { sid: `SM${String(n).padStart(32, '0')}`, token: 'x'.repeat(200) },
              at,
              effect: 'location',
            });
          }
          expect(record.handled.length).toBeLessThanOrEqual(MAX_HANDLED);
          expect(Object.keys(record.sessions).length).toBeLessThanOrEqual(MAX_SESSIONS);
          expect(Buffer.byteLength(JSON.stringify(record))).toBeLessThan(16 * 1024);
          expect(contactRecordSchema.safeParse(record).success).toBe(true);
        },
      ),
    );
  });

  it('a failed side effect is released, so a retry may try again', () => {
    const record = applyInbound(emptyRecord(key), { bot: BOT, id: { sid: 'SM1' }, at, effect: 'location' });
    expect(findHandled(releaseEffect(record, { sid: 'SM1' }), { sid: 'SM1' })).toBeUndefined();
  });

  it('moves one message’s status forward only; another SID replaces it', () => {
    let record = applyStatus(emptyRecord(key), { sid: 'SM1', status: 'delivered' }, at);
    record = applyStatus(record, { sid: 'SM1', status: 'sent' }, at);
    expect(record.last_outbound?.status).toBe('delivered');
    record = applyStatus(record, { sid: 'SM1', status: 'read' }, at);
    expect(record.last_outbound?.status).toBe('read');
    record = applyStatus(record, { sid: 'SM2', status: 'undelivered', errorCode: 63016 }, at);
    expect(record.last_outbound).toMatchObject({ sid: 'SM2', status: 'undelivered', error_code: 63016 });
  });
});
