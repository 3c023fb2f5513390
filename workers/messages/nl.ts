// Dutch, the default language of every page and mail (see catalogue.ts).
import type { Messages } from './catalogue.js';

export const nl: Messages = {
  signupForm: { title: (list) => `Aanmelden: ${list}`, email: 'E-mailadres', name: 'Naam', submit: 'Aanmelden' },
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
  smsByMail: ({ sender }) => ({ subject: `Bericht van ${sender}` }),
  privacy: {
    form: {
      title: 'Privacyverzoek',
      intro: 'Vraag inzage in je gegevens, laat ze corrigeren of verwijderen, beperk of maak bezwaar tegen het gebruik ervan, of dien een klacht in.',
      type: 'Soort verzoek',
      types: { access: 'Inzage', rectification: 'Correctie', erasure: 'Verwijderen', restriction: 'Beperking', objection: 'Bezwaar', complaint: 'Klacht' },
      email: 'E-mailadres',
      phone: 'of mobiel nummer',
      name: 'Naam',
      message: 'Toelichting',
      correction: 'Bij een correctie: de juiste gegevens',
      correctName: 'Juiste naam',
      correctEmail: 'Juist e-mailadres',
      correctPhone: 'Juist nummer',
      submit: 'Versturen',
    },
    received: {
      title: 'Ontvangen',
      text: 'Als we je kunnen bereiken, ontvang je een link per mail of een code per sms om je verzoek te bevestigen. We antwoorden binnen een maand.',
      code: 'Code uit de sms',
      codeSubmit: 'Bevestigen',
    },
    confirm: { title: 'Bevestig je verzoek', button: 'Ja, bevestig' },
    verified: { title: 'Bevestigd', text: 'Je verzoek is bevestigd; we antwoorden binnen een maand.' },
    invalidLink: { title: 'Ongeldige link', text: 'Deze link is niet geldig, al gebruikt of verlopen.' },
    invalidCode: { title: 'Ongeldige code', text: 'Deze code is niet juist, al gebruikt of verlopen, of er is te vaak geprobeerd.' },
    verifyMail: ({ link, days }) => ({
      subject: 'Bevestig je privacyverzoek',
      text: `Wij ontvingen een privacyverzoek voor dit adres. Bevestig het via deze link (${days} dagen geldig):\n\n${link}\n\nNiet door jou gedaan? Dan hoef je niets te doen.\n`,
    }),
    exportMail: ({ link, days }) => ({
      subject: 'Je gegevens bij TGG',
      text: `Je gegevens staan ${days} dagen klaar, als pagina (of als JSON met &format=json):\n\n${link}\n`,
    }),
    extensionMail: ({ dueDate, reason }) => ({
      subject: 'Je privacyverzoek duurt langer',
      text: `We hebben meer tijd nodig voor je privacyverzoek. Je krijgt ons antwoord uiterlijk ${dueDate}.\n\nReden: ${reason}\n\nJe kunt ook een klacht indienen bij de Autoriteit Persoonsgegevens (autoriteitpersoonsgegevens.nl).\n`,
    }),
    codeSms: ({ code, minutes }) => `Je TGG-verificatiecode: ${code} (${minutes} min geldig)`,
  },
};
