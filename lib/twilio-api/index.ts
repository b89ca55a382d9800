/** Calling Twilio's REST API: bounded requests with retries, failures in every shape, subaccounts. */
export * from './failures';
export * from './request';
export * from './subaccount';
