// Tables with personal data that no privacy section reaches, each with the reason: the
// coverage test (test/privacy-coverage.test.ts) fails on a table that is neither reached by
// some family's `privacy` section nor listed here.
export const TABLES_PRIVACY_CANNOT_REACH: Readonly<Record<string, string>> = {
  sms_batches: "a batch's template text and reference: the member's words, not tied to one recipient; anonymised with the messages after 6 months (P5)",
  sms_reply_parts: 'parts of a concatenated reply waiting for the rest: a keyed hash of the sender, no number; deleted within a day',
  sms_opt_out_confirmations:
    "when an organisation last confirmed an opt-out to a number (a keyed hash): it only limits confirmations to one a day and is deleted 2 days on; access lists the opt-out itself (sms_opt_outs)",
  sms_callbacks: "status callbacks to members: message ids, positions and status codes (the reply's text is read from sms_replies when sent)",
};
