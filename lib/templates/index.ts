/** WhatsApp message templates as code: the file format, the linter, and variables. */
export * from './schema';
export * from './lint';
export * from './variables';
export * from './message';
