// The register of processing (GDPR art. 30, P1, P11 in ARCHITECTURE.md), generated from the same
// policy that drives the purge, for /public/register and the README.
import { PROCESSORS, RETENTION_POLICY, type RetentionCategory } from './policy.js';

export const CONTROLLER = {
  name: 'Telegrootgebruik B.V. (TGG) and BTG Services',
  privacyStatement: 'Privacyverklaring TGG, version of 31 July 2018',
} as const;

export function buildRegister(policy: readonly RetentionCategory[] = RETENTION_POLICY) {
  return {
    controller: CONTROLLER,
    categories: policy.map((c) => ({
      category: c.category,
      purpose: c.purpose,
      legalBasis: c.legalBasis,
      dataSubjects: c.dataSubjects,
      personalData: [...c.personalData],
      retention: c.keepText,
      afterRetention: c.action.kind === 'delete' ? 'deleted' : 'anonymised (counts and costs kept)',
      processors: c.processors.map((p) => PROCESSORS[p].name),
    })),
    processors: Object.values(PROCESSORS).map((p) => ({ name: p.name, role: p.role })),
  };
}

/** The Markdown table the README carries between its retention markers. */
export function renderRetentionTable(policy: readonly RetentionCategory[] = RETENTION_POLICY): string {
  const header = '| category | table | personal data | kept | then | purpose | legal basis |\n| --- | --- | --- | --- | --- | --- | --- |';
  const rows = policy.map(
    (c) =>
      `| \`${c.category}\` | \`${c.table}\` | ${c.personalData.join('; ')} | ${c.keepText} | ${c.action.kind === 'delete' ? 'deleted' : 'anonymised'} | ${c.purpose} | ${c.legalBasis} |`,
  );
  return [header, ...rows].join('\n');
}
