// Dutch, the default language of every page and mail (see catalogue.ts).
import type { Messages } from './catalogue.js';

export const nl: Messages = {
  signupForm: {
    title: (list) => `Aanmelden: ${list}`,
    email: 'E-mailadres',
    name: 'Naam',
    submit: 'Aanmelden',
    invalidEmail: 'Dat is geen geldig e-mailadres. Probeer het nog eens.',
    tooMany: 'Er zijn vanaf dit adres te veel aanmeldingen gedaan. Probeer het later nog eens.',
  },
  checkYourMail: { title: 'Bijna klaar', text: 'Als dit adres nog niet is aangemeld, krijg je een e-mail met een link. Klik daarop om je aanmelding te bevestigen.' },
  confirmSignup: { title: 'Aanmelding bevestigen', button: 'Ja, meld mij aan' },
  confirmed: { title: 'Aangemeld', text: 'Je aanmelding is bevestigd. Je ontvangt voortaan de nieuwsbrief.' },
  invalidLink: { title: 'Link ongeldig', text: 'Deze link is verlopen of al gebruikt. Meld je opnieuw aan om een nieuwe link te krijgen.' },
  unsubscribe: {
    title: 'Afmelden',
    text: 'Wil je deze nieuwsbrief niet meer ontvangen?',
    button: 'Ja, meld mij af',
    doneTitle: 'Afgemeld',
    doneText: 'Je bent afgemeld. Je ontvangt deze nieuwsbrief niet meer.',
  },
  optInMail: ({ list, name, link, days }) => ({
    subject: `Bevestig je aanmelding voor ${list}`,
    text: `${name ? `Beste ${name},` : 'Hallo,'}\n\nJe hebt je aangemeld voor de nieuwsbrief "${list}". Bevestig dat via deze link:\n\n${link}\n\nDe link is ${days} dagen geldig. Heb je je niet aangemeld? Dan hoef je niets te doen: zonder bevestiging ontvang je niets.\n`,
  }),
  passwordResetMail: ({ sessions, keys, link, hours }) => ({
    subject: 'Uw TGG-wachtwoord moet worden gewijzigd',
    text: [
      'Uw TGG-account is gemarkeerd als mogelijk gelekt. Direct ingetrokken:',
      `- ${sessions} inlogsessie(s) van uw account;`,
      `- ${keys} API-sleutel(s): die van uw account, die ermee zijn gemaakt en die deze sleutels maakten.`,
      '',
      'U hebt een nieuw wachtwoord nodig voordat u weer kunt inloggen.',
      '',
      `Kies hier een nieuw wachtwoord (${hours} uur geldig): ${link}`,
      '',
      'Verwachtte u deze e-mail niet? Neem dan contact op met uw beheerder.',
    ].join('\n'),
  }),
  passwordResetPage: {
    title: 'Nieuw wachtwoord',
    intro: (min) => `Kies een wachtwoord van minstens ${min} tekens dat niet op een lijst van veelgebruikte wachtwoorden staat.`,
    password: 'Nieuw wachtwoord',
    save: 'Opslaan',
    failed: 'Dat lukte niet.',
    done: 'Uw wachtwoord is gewijzigd. U kunt nu inloggen.',
  },
  campaignFooter: ({ organization, list, email }) => ({
    why: `Je ontvangt deze e-mail op ${email} omdat je bent ingeschreven voor "${list}" van ${organization}.`,
    unsubscribe: 'Afmelden',
  }),
  smsByMail: ({ sender }) => ({ subject: `Bericht van ${sender}` }),
};
