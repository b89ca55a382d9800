/**
 * The words that opt a user out of, or back in to, the bot's messages: the one list, in the languages WhatsApp
 * users most often write to this kind of bot (English, Spanish, Portuguese). A message opts out or in when its
 * whole text, normalized (lib/bot.ts normalizeCommand: case, accents kept, surrounding punctuation and emoji
 * dropped), is one of these.
 *
 * English follows Twilio's standard opt-out keywords (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, plus
 * OPTOUT and REVOKE) and opt-in keywords (START, UNSTOP), except YES: on WhatsApp an opt-in must be explicit,
 * and "yes" answers too many other questions to be taken as one.
 */
export type ConsentWord = { status: 'opted_out' | 'opted_in'; language: 'en' | 'es' | 'pt' };

const OPT_OUT: Record<ConsentWord['language'], readonly string[]> = {
  en: ['stop', 'stopall', 'unsubscribe', 'cancel', 'end', 'quit', 'optout', 'opt out', 'opt-out', 'revoke'],
  es: [
    'baja',
    'darme de baja',
    'parar',
    'detener',
    'cancelar',
    'alto',
    'no más',
    'no mas',
    'desuscribir',
    'anular suscripción',
  ],
  pt: ['sair', 'pare', 'cancelar', 'descadastrar', 'descadastre', 'desinscrever', 'parar de receber'],
};

const OPT_IN: Record<ConsentWord['language'], readonly string[]> = {
  en: ['start', 'unstop', 'subscribe', 'optin', 'opt in', 'opt-in'],
  es: ['alta', 'darme de alta', 'suscribir', 'suscribirme', 'iniciar', 'reanudar'],
  pt: ['começar', 'comecar', 'inscrever', 'assinar', 'voltar', 'retomar'],
};

const WORDS = new Map<string, ConsentWord>();
for (const [status, table] of [
  ['opted_out', OPT_OUT],
  ['opted_in', OPT_IN],
] as const) {
  for (const [language, words] of Object.entries(table) as [ConsentWord['language'], readonly string[]][]) {
    // A word in two languages (cancelar) means the same in both; the first language listed is kept.
    for (const word of words) if (!WORDS.has(word)) WORDS.set(word, { status, language });
  }
}

/** The consent a normalized command expresses, if it is one of the words. */
export function consentWord(command: string): ConsentWord | undefined {
  return WORDS.get(command.replace(/\s+/g, ' '));
}

/** Every word, for docs and tests. */
export const CONSENT_WORDS: ReadonlyMap<string, ConsentWord> = WORDS;
