/**
 * WhatsApp sender registration, the core shared by the admin routes (functions/admin/) and the bulk tool:
 * schemas (humane input -> exact Senders API bodies), wire calls with budget-aware retries, error answers,
 * next steps. See each module's header for the why.
 */
export * from './schema';
export * from './api';
export * from './errors';
export * from './next-step';
export * from './status';
