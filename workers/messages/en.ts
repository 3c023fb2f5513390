// English, on request (see catalogue.ts).
import type { Messages } from './catalogue.js';

export const en: Messages = {
  signupForm: { title: (list) => `Sign up: ${list}`, email: 'E-mail address', name: 'Name', submit: 'Sign up' },
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
  smsByMail: ({ sender }) => ({ subject: `Message from ${sender}` }),
  privacy: {
    form: {
      title: 'Privacy request',
      intro: 'Ask to see your data, have it corrected or erased, restrict or object to its use, or file a complaint.',
      type: 'Type of request',
      types: { access: 'Access', rectification: 'Rectification', erasure: 'Erasure', restriction: 'Restriction', objection: 'Objection', complaint: 'Complaint' },
      email: 'E-mail address',
      phone: 'or mobile number',
      name: 'Name',
      message: 'Message',
      correction: 'For a correction: the right data',
      correctName: 'Right name',
      correctEmail: 'Right e-mail address',
      correctPhone: 'Right number',
      submit: 'Send',
    },
    received: {
      title: 'Received',
      text: 'If we can reach you, you will receive a link by mail or a code by SMS to confirm your request. We answer within one month.',
      code: 'Code from the SMS',
      codeSubmit: 'Confirm',
    },
    confirm: { title: 'Confirm your request', button: 'Yes, confirm' },
    verified: { title: 'Confirmed', text: 'Your request is confirmed; we answer within one month.' },
    invalidLink: { title: 'Invalid link', text: 'This link is not valid, was used already or has expired.' },
    invalidCode: { title: 'Invalid code', text: 'This code is not right, was used already or has expired, or it was tried too often.' },
    verifyMail: ({ link, days }) => ({
      subject: 'Confirm your privacy request',
      text: `We received a privacy request for this address. Confirm it with this link (valid ${days} days):\n\n${link}\n\nNot you? Then do nothing.\n`,
    }),
    exportMail: ({ link, days }) => ({
      subject: 'Your data at TGG',
      text: `Your data is ready for ${days} days, as a page (or as JSON with &format=json):\n\n${link}\n`,
    }),
    extensionMail: ({ dueDate, reason }) => ({
      subject: 'Your privacy request takes longer',
      text: `We need more time for your privacy request. You will have our answer by ${dueDate} at the latest.\n\nReason: ${reason}\n\nYou may also complain to the Dutch supervisory authority, the Autoriteit Persoonsgegevens (autoriteitpersoonsgegevens.nl).\n`,
    }),
    codeSms: ({ code, minutes }) => `Your TGG verification code: ${code} (valid ${minutes} min)`,
  },
};
