/** Business-initiated and session messages: the request, the decision WhatsApp makes, the send (docs/sending.md). */
export * from './request';
export * from './decide';
export * from './send';
