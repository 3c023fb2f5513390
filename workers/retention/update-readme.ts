// npm run retention:readme: rewrites the README's retention table from the policy.
import { readFileSync, writeFileSync } from 'node:fs';
import { renderRetentionTable } from './register.js';

const path = new URL('../../README.md', import.meta.url);
const readme = readFileSync(path, 'utf8');
const updated = readme.replace(/(<!-- retention:start -->\n)[\s\S]*?(\n<!-- retention:end -->)/, `$1${renderRetentionTable()}$2`);
writeFileSync(path, updated);
console.log(updated === readme ? 'README retention table already up to date' : 'README retention table updated');
