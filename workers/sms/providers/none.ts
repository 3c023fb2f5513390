// The provider of a process without the sms role (e.g. web): no SMSC session is opened there,
// and the SMPP client and the gateway's code (provider.ts) are not even loaded.
import type { SmsProvider } from './provider.js';

export const NO_SMS_PROVIDER: SmsProvider = {
  name: 'none',
  windowSize: 1,
  ready: () => Promise.resolve(false),
  submit: () => Promise.reject(new Error('this process does not run the sms role')),
  close: () => Promise.resolve(),
};
