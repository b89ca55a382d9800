/** Helpers for conversation-store tests: inbound messages as Twilio posts them, and the emulator's Sync views. */
import type { Emulator } from '../../dev/emulator/server';
import { parseTwiml, type ParsedMessage } from './twiml';
import { postWebhook, type FormParams } from './twilio-request';

export const BOT = 'whatsapp:+14155238886';

let counter = 0;
/** A fresh MessageSid (unique across a test run). */
export function nextMessageSid(): string {
  counter += 1;
  return `SM${(Date.now() * 1000 + counter).toString(16).padStart(32, '0').slice(-32)}`;
}

export type InboundAnswer = { status: number; contentType: string; body: string; messages: ParsedMessage[] };

/** POSTs a signed inbound message from `from`; `headers` adds e.g. I-Twilio-Idempotency-Token. */
export async function sendInbound(
  baseUrl: string,
  authToken: string,
  from: string,
  fields: FormParams,
  options: { headers?: Record<string, string> } = {},
): Promise<InboundAnswer> {
  const params = { MessageSid: nextMessageSid(), From: from, To: BOT, NumMedia: '0', ...fields };
  const res = await postWebhook(baseUrl, '/whatsapp/incoming', params, { authToken, headers: options.headers });
  return { ...res, messages: res.status === 200 ? parseTwiml(res.body) : [] };
}

export type SyncObjectStats = {
  object: string;
  reads: number;
  writes: number;
  rejected: number;
  peak_reads_per_second: number;
  peak_writes_per_second: number;
};

/** Per-object operation counts and peak rates the emulator saw (GET /__emulator/sync/stats). */
export async function syncStats(emulator: Emulator): Promise<SyncObjectStats[]> {
  const res = await fetch(`${emulator.url}/__emulator/sync/stats`);
  return ((await res.json()) as { objects: SyncObjectStats[] }).objects;
}

/** Everything the emulator's Sync holds, as JSON text (GET /__emulator/sync/dump). */
export async function syncDump(emulator: Emulator): Promise<string> {
  return (await fetch(`${emulator.url}/__emulator/sync/dump`)).text();
}

/** A contact record as the emulator's Sync holds it (the fields these tests read). */
export type StoredContact = { address: string; handled: { sid?: string }[]; consent: { status: string } };

/** The record of `address`'s document in the emulator's Sync, or undefined. */
export async function storedContact(emulator: Emulator, address: string): Promise<StoredContact | undefined> {
  const dump = JSON.parse(await syncDump(emulator)) as { services: { documents: { data: StoredContact }[] }[] };
  return dump.services.flatMap((s) => s.documents).find((d) => d.data.address === address)?.data;
}
