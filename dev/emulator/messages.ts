/**
 * POST /2010-04-01/Accounts/{AccountSid}/Messages.json, checked against the official contract
 * (contracts/messages-create-openapi.json): form encoding, known parameter names only, required fields,
 * formats of the fields this project sends, ContentSid + ContentVariables through content.ts. Answers 201 with a
 * queued Message resource, like Twilio (with a ContentSid, `body` is the content's body, variables filled), and
 * hands the message to conversation.ts (statuses, callbacks). A free-form message (Body/MediaUrl, no ContentSid),
 * or a template WhatsApp has not approved, to a user whose 24-hour window is closed is refused here with 63016.
 */
import { sidSource } from '../../lib/sids';
import { MAX_MESSAGE_UNITS, messageUnits } from '../../lib/message-length';
import contract from '../../contracts/messages-create-openapi.json';
import { now } from './clock';
import { contentForMessage } from './content';
import { checkOutbound, ERRORS, recordOutbound, refusalReply, whatsappAddress, type GeoPoint } from './conversation';
import { twilioError, type EmulatorReply, type EmulatorRoute, type EmulatorState } from './server';

const formSchema = contract.post.requestBody.content['application/x-www-form-urlencoded'].schema;
/** Parameter names the contract knows; anything else is refused (Twilio ignores them, which hides typos). */
const KNOWN_PARAMETERS = new Set(Object.keys(formSchema.properties));
const ARRAY_PARAMETERS = new Set(
  Object.entries(formSchema.properties)
    .filter(([, spec]) => (spec as { type?: string }).type === 'array')
    .map(([name]) => name),
);

const ADDRESS = /^(whatsapp:)?\+[1-9]\d{6,14}$/;
/** geo:{latitude},{longitude}|{label} (Twilio's location PersistentAction). */
const GEO_ACTION = /^geo:(-?\d{1,2}(?:\.\d+)?),(-?\d{1,3}(?:\.\d+)?)\|[^|\r\n]*$/;

/** geo:{lat},{long}|{label} -> the point, for the conversation log (already validated). */
function geoPoint(action: string): GeoPoint | undefined {
  const geo = GEO_ACTION.exec(action);
  if (!geo) return undefined;
  const label = action.slice(action.indexOf('|') + 1);
  return { latitude: Number(geo[1]), longitude: Number(geo[2]), ...(label ? { label } : {}) };
}

export type StoredMessage = Record<string, unknown> & { sid: string };

function messagesOf(state: EmulatorState): StoredMessage[] {
  let store = state.stores.get('messages') as StoredMessage[] | undefined;
  if (!store) state.stores.set('messages', (store = []));
  return store;
}

function createMessage(
  accountSid: string,
  form: Record<string, string | string[]>,
  state: EmulatorState,
): EmulatorReply {
  for (const name of Object.keys(form)) {
    if (!KNOWN_PARAMETERS.has(name))
      return twilioError(400, 20001, `Unknown parameter '${name}' (not in the Messages create contract).`);
    if (Array.isArray(form[name]) && !ARRAY_PARAMETERS.has(name))
      return twilioError(400, 20001, `Parameter '${name}' was given more than once.`);
  }
  const one = (name: string) => (typeof form[name] === 'string' ? (form[name] as string) : undefined);
  const many = (name: string) => ([] as string[]).concat(form[name] ?? []);
  const to = one('To');
  const from = one('From');
  if (!to) return twilioError(400, 21604, "A 'To' phone number is required.");
  if (!ADDRESS.test(to)) return twilioError(400, 21211, `Invalid 'To' Phone Number: ${to}`);
  if (!from && !one('MessagingServiceSid')) return twilioError(400, 21603, "A 'From' phone number is required.");
  if (from && !ADDRESS.test(from)) return twilioError(400, 21212, `Invalid 'From' Phone Number: ${from}`);
  if (from && to.startsWith('whatsapp:') !== from.startsWith('whatsapp:')) {
    return twilioError(400, 63007, 'Twilio could not find a Channel with the specified From address');
  }
  const content = contentForMessage(state, accountSid, form);
  if (content && 'error' in content) return content.error;
  const body = content?.body ?? one('Body');
  if (!body && many('MediaUrl').length === 0 && !one('ContentSid'))
    return twilioError(400, 21602, 'Message body is required.');
  if (body && messageUnits(body) > MAX_MESSAGE_UNITS)
    return twilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
  for (const action of many('PersistentAction')) {
    const geo = GEO_ACTION.exec(action);
    if (!geo || Math.abs(Number(geo[1])) > 90 || Math.abs(Number(geo[2])) > 180) {
      return twilioError(
        400,
        21658,
        `Invalid PersistentAction '${action}': expected geo:{latitude},{longitude}|{label}`,
      );
    }
  }
  const refusal = from ? checkOutbound(state, from, to, content) : undefined;
  // 63016 is refused at the REST call; 63015 (sandbox not joined) is accepted, then fails in its status callback.
  if (refusal?.code === ERRORS.outsideWindow.code) return refusalReply(refusal);
  const sid = state.newSid(many('MediaUrl').length ? 'MM' : 'SM');
  const date = new Date(now(state)).toUTCString().replace('GMT', '+0000');
  const message: StoredMessage = {
    account_sid: accountSid,
    api_version: '2010-04-01',
    body: body ?? '',
    date_created: date,
    date_sent: null,
    date_updated: date,
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: from ?? null,
    messaging_service_sid: one('MessagingServiceSid') ?? null,
    num_media: String(many('MediaUrl').length),
    num_segments: '1',
    price: null,
    price_unit: null,
    sid,
    status: 'queued',
    subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media.json` },
    to,
    uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
  };
  messagesOf(state).push(message);
  const contentSid = one('ContentSid');
  const location = many('PersistentAction')
    .map(geoPoint)
    .find((p) => p !== undefined);
  recordOutbound(
    state,
    {
      sid,
      kind: contentSid ? 'template' : 'api',
      user: whatsappAddress(to),
      bot: from ?? one('MessagingServiceSid')!,
      accountSid,
      body,
      ...(many('MediaUrl').length ? { media: many('MediaUrl').map((url) => ({ url })) } : {}),
      ...(location ? { location } : {}),
      ...(content?.buttons ? { buttons: content.buttons } : {}),
      ...(contentSid ? { contentSid, contentVariables: content?.variables } : {}),
      statusCallback: one('StatusCallback'),
    },
    refusal,
  );
  return { status: 201, body: message };
}

/** YYYY-MM-DD of a Message's RFC 2822 date (DateSent filters by the UTC day, as Twilio's list does). */
const dayOf = (rfc2822: string) => new Date(rfc2822).toISOString().slice(0, 10);

/**
 * GET Messages.json, as Twilio documents it (https://www.twilio.com/docs/messaging/api/message-resource):
 * To, From, DateSent / DateSent> / DateSent< (YYYY-MM-DD, UTC day) filters, PageSize (1..1000, default 50), newest
 * first. One page only (next_page_uri null): enough for reconciling a bulk run's last sends.
 */
function listMessages(accountSid: string, query: URLSearchParams, state: EmulatorState): EmulatorReply {
  const size = Number(query.get('PageSize') ?? 50);
  if (!Number.isInteger(size) || size < 1 || size > 1000) return twilioError(400, 20001, 'PageSize must be 1..1000');
  const day = /^\d{4}-\d{2}-\d{2}$/;
  const filters: [string, (d: string, v: string) => boolean][] = [
    ['DateSent', (d, v) => d === v],
    ['DateSent>', (d, v) => d >= v],
    ['DateSent<', (d, v) => d <= v],
  ];
  for (const [name] of filters) {
    const v = query.get(name);
    if (v !== null && !day.test(v)) return twilioError(400, 20001, `${name} must be a date, YYYY-MM-DD`);
  }
  const matches = messagesOf(state)
    .filter((m) => m.account_sid === accountSid)
    .filter((m) => !query.get('To') || m.to === query.get('To'))
    .filter((m) => !query.get('From') || m.from === query.get('From'))
    .filter((m) =>
      filters.every(([name, test]) => {
        const v = query.get(name);
        return v === null || test(dayOf(String(m.date_created)), v);
      }),
    )
    .reverse()
    .slice(0, size);
  const uri = `/2010-04-01/Accounts/${accountSid}/Messages.json`;
  return {
    status: 200,
    body: { messages: matches, page: 0, page_size: size, first_page_uri: uri, next_page_uri: null, uri },
  };
}

export const messageRoutes: EmulatorRoute[] = [
  {
    name: 'messages.list',
    method: 'GET',
    pattern: new RegExp(`^/2010-04-01/Accounts/(${sidSource('account')})/Messages\\.json$`),
    handle: (request, match, state) => listMessages(match[1]!, request.query, state),
  },
  {
    name: 'messages.create',
    method: 'POST',
    pattern: new RegExp(`^/2010-04-01/Accounts/(${sidSource('account')})/Messages\\.json$`),
    handle(request, match, state) {
      if (!request.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
        return twilioError(
          400,
          20001,
          'Messages create takes a form-encoded body (application/x-www-form-urlencoded).',
        );
      }
      return createMessage(match[1]!, (request.body ?? {}) as Record<string, string | string[]>, state);
    },
  },
];
