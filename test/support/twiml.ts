/** Reads messaging TwiML the way Twilio would: it must be well-formed XML with a <Response> root. */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export type ParsedMessage = { body?: string; media: string[] };

/** Parses TwiML; throws with the parser's reason when it is not well-formed or not a <Response>. */
export function parseTwiml(xml: string): ParsedMessage[] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`TwiML is not well-formed: ${valid.err.msg} (line ${valid.err.line})`);
  const parser = new XMLParser({
    isArray: (name) => name === 'Message' || name === 'Media',
    parseTagValue: false,
    trimValues: false,
  });
  const doc = parser.parse(xml) as {
    Response?: '' | { Message?: Array<{ Body?: string; Media?: string[] } | string> };
  };
  if (doc.Response === undefined) throw new Error('TwiML has no <Response> root');
  if (doc.Response === '') return [];
  return (doc.Response.Message ?? []).map((m) =>
    typeof m === 'string'
      ? { body: m, media: [] }
      : { body: m.Body === undefined ? undefined : String(m.Body), media: (m.Media ?? []).map(String) },
  );
}
