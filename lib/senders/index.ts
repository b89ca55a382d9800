/**
 * WhatsApp sender registration, the core shared by the admin routes (functions/admin/) and the bulk tool:
 * schemas (humane input -> exact Senders API bodies), wire calls with budget-aware retries, error answers,
 * next steps. See each module's header for the why.
 */
export * from './admin-inputs';
export * from './display-name';
export * from './fields';
export * from './wire';
export * from './api';
export * from './next-step';
export * from './status';
