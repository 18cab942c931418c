#!/usr/bin/env bash
# `npm test`: type-check, lint, then the three vitest projects one after the other (integration and e2e
# start real hosts and a browser; sharing 2 cores with the unit tests would only make them slower), and a
# closing line with the totals. Exits non-zero when any part failed.
set -u
cd "$(dirname "$0")/.."
summary=$(mktemp)
export CP_TEST_SUMMARY_FILE=$summary
status=0
npx tsc -p tsconfig.json --noEmit || status=1
npx eslint . || status=1
for project in unit integration e2e; do
  echo "=== vitest: $project ==="
  npx vitest run --project "$project" || status=1
done
node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").filter(Boolean).map(JSON.parse);
  const t = lines.reduce((a, l) => ({ passed: a.passed + l.passed, failed: a.failed + l.failed, skipped: a.skipped + l.skipped }), { passed: 0, failed: 0, skipped: 0 });
  if (lines.length < 3) t.failed += 3 - lines.length;
  console.log(`\ntotal: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`);
' "$summary"
rm -f "$summary"
exit $status
