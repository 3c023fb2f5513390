// English, on request (see catalogue.ts).
import type { Messages } from './catalogue.js';

export const en: Messages = {
  signupForm: {
    title: (list) => `Sign up: ${list}`,
    email: 'E-mail address',
    name: 'Name',
    submit: 'Sign up',
    invalidEmail: 'That is not a valid e-mail address. Please try again.',
    tooMany: 'Too many sign-ups came from this address. Please try again later.',
  },
  checkYourMail: { title: 'Almost done', text: 'If this address is not signed up yet, you will get an e-mail with a link. Click it to confirm your sign-up.' },
  confirmSignup: { title: 'Confirm your sign-up', button: 'Yes, sign me up' },
  confirmed: { title: 'Signed up', text: 'Your sign-up is confirmed. You will receive the newsletter from now on.' },
  invalidLink: { title: 'Invalid link', text: 'This link has expired or was already used. Sign up again to get a new link.' },
  unsubscribe: {
    title: 'Unsubscribe',
    text: 'Do you no longer want to receive this newsletter?',
    button: 'Yes, unsubscribe me',
    doneTitle: 'Unsubscribed',
    doneText: 'You are unsubscribed. You will not receive this newsletter any more.',
  },
  optInMail: ({ list, name, link, days }) => ({
    subject: `Confirm your sign-up for ${list}`,
    text: `${name ? `Dear ${name},` : 'Hello,'}\n\nYou signed up for the newsletter "${list}". Please confirm with this link:\n\n${link}\n\nThe link is valid for ${days} days. Did you not sign up? Then there is nothing to do: without confirmation you receive nothing.\n`,
  }),
  passwordResetMail: ({ sessions, keys, link, hours }) => ({
    subject: 'Your TGG password must be changed',
    text: [
      'Your TGG account was marked as possibly compromised. Revoked at once:',
      `- ${sessions} login session(s) of your account;`,
      `- ${keys} API key(s): those of your account, those made by it, and those these keys made.`,
      '',
      'You need a new password before you can log in again.',
      '',
      `Choose a new password here (valid for ${hours} hours): ${link}`,
      '',
      'If you did not expect this mail, contact your administrator.',
    ].join('\n'),
  }),
  passwordResetPage: {
    title: 'New password',
    intro: (min) => `Choose a password of at least ${min} characters that is not on a list of common passwords.`,
    password: 'New password',
    save: 'Save',
    failed: 'That did not work.',
    done: 'Your password has been changed. You can log in now.',
  },
  campaignFooter: ({ organization, list, email }) => ({
    why: `You receive this e-mail at ${email} because you are subscribed to "${list}" of ${organization}.`,
    unsubscribe: 'Unsubscribe',
  }),
  smsByMail: ({ sender }) => ({ subject: `Message from ${sender}` }),
};
