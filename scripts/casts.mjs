// Counts type assertions (`x as T`, not `as const`) and non-null assertions (`x!`) in src/ (issue 13): node scripts/casts.mjs [--top]
import ts from 'typescript';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
const root = 'src';
let as = 0,
  nonNull = 0;
const per = {};
function walk(d) {
  for (const f of readdirSync(d)) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.ts')) count(p);
  }
}
function count(p) {
  const sf = ts.createSourceFile(p, readFileSync(p, 'utf8'), ts.ScriptTarget.Latest, true);
  let a = 0,
    n = 0;
  const visit = (node) => {
    if (ts.isAsExpression(node) && !(ts.isTypeReferenceNode(node.type) && node.type.typeName.getText(sf) === 'const')) a++;
    if (ts.isNonNullExpression(node)) n++;
    ts.forEachChild(node, visit);
  };
  visit(sf);
  as += a;
  nonNull += n;
  per[p] = [a, n];
}
walk(root);
console.log(JSON.stringify({ as, nonNull }));
if (process.argv.includes('--top'))
  for (const [p, [a, n]] of Object.entries(per)
    .sort((x, y) => y[1][0] + y[1][1] - (x[1][0] + x[1][1]))
    .slice(0, 20))
    console.log(a, n, p);
