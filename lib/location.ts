/**
 * Locations: the bot's own (sent through the Messages API as a PersistentAction, since TwiML cannot carry
 * one) and the ones users send.
 */
import { MAX_MESSAGE_UNITS, truncateMessage } from './message-length';
import * as z from './zod';

export type Location = { latitude: number; longitude: number; name: string; label: string };

/** What the Messages API needs to send a location: the name as Body, the pin as PersistentAction. */
export type LocationMessage = { from: string; to: string; body: string; persistentAction: string };

/** `|` separates the label in a geo action and line breaks end it: both are removed. */
export function cleanLabel(label: string): string {
  return label
    .replace(/[|\r\n\u2028\u2029]+/g, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

export const locationSchema = z.object({
  latitude: z.number().check(z.gte(-90), z.lte(90)),
  longitude: z.number().check(z.gte(-180), z.lte(180)),
  name: z.string().check(z.minLength(1)),
  label: z.string(),
});

/**
 * `geo:{lat},{long}|{label}`, coordinates validated (throws a zod error on bad ones); the label is cut so the
 * whole action stays within MAX_MESSAGE_UNITS, like every text this bot sends.
 */
export function geoPersistentAction(location: Location): string {
  const valid = locationSchema.parse(location);
  const pin = `geo:${valid.latitude},${valid.longitude}|`;
  return pin + truncateMessage(cleanLabel(valid.label), MAX_MESSAGE_UNITS - pin.length);
}

/**
 * The Messages API request that sends `location` to `to` from `from` (session messages only). The name is the
 * Body, cut to MAX_MESSAGE_UNITS: Twilio refuses a longer one (21617).
 */
export function locationMessage(location: Location, from: string, to: string): LocationMessage {
  return { from, to, body: truncateMessage(location.name), persistentAction: geoPersistentAction(location) };
}

/** A link that opens the coordinates in a maps app or browser. */
export function mapsLink(latitude: number, longitude: number): string {
  return `https://www.google.com/maps/search/?api=1&query=${latitude},${longitude}`;
}

/**
 * The bot's location from its settings, or undefined when latitude, longitude or name is missing.
 * The label defaults to the name.
 */
export function botLocation(settings: {
  BOT_LOCATION_LATITUDE?: number;
  BOT_LOCATION_LONGITUDE?: number;
  BOT_LOCATION_NAME?: string;
  BOT_LOCATION_LABEL?: string;
}): Location | undefined {
  const { BOT_LOCATION_LATITUDE: latitude, BOT_LOCATION_LONGITUDE: longitude, BOT_LOCATION_NAME: name } = settings;
  if (latitude === undefined || longitude === undefined || !name) return undefined;
  return { latitude, longitude, name, label: settings.BOT_LOCATION_LABEL ?? name };
}
