// Runs every audit of the graphql-http package against the server at process.argv[2] and
// exits non-zero if any MUST fails. SHOULD and MAY results are reported, not enforced.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
const results = await auditServer({ url });
let failedMust = 0;
for (const result of results) {
  const reason = result.status === 'ok' ? '' : ` — ${result.reason}`;
  console.log(`${result.status.padEnd(6)} ${result.name}${reason}`);
  if (result.status === 'error') failedMust += 1;
}
const count = (status) => results.filter((r) => r.status === status).length;
console.log(`${count('ok')} passed, ${count('error')} failed, ${count('warn')} warned`);
process.exit(failedMust === 0 ? 0 : 1);
