// Bundles src/main.ts into dist/ with esbuild. Bundling matters for start-up: Node resolves and
// reads one file per module, and the dependency tree (commander, yaml, zod) is hundreds of files.
// Code splitting keeps the lazy `import()` of heavy modules (the Kubernetes client, prompts,
// execa) in their own chunks, loaded only by the commands that need them.
import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
const result = await build({
  // pg's optional native binding: never used (the pure-JS client is), and not installed.
  external: ['pg-native'],
  entryPoints: { main: 'src/main.ts', 'schema-entry': 'src/runbook/json-schema.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'none',
  // Smaller files parse faster: start-up is a product requirement. Source maps keep stack traces readable.
  minify: true,
  keepNames: true,
  logLevel: 'warning',
  chunkNames: 'chunks/[name]-[hash]',
  // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __budCreateRequire } from 'node:module'; const require = __budCreateRequire(import.meta.url);",
  },
  // The module graph (who imports whom, statically or through import()), for the start-up and
  // import-cycle rails (test/support/import-graph.ts). Not shipped (package.json "files" leaves it out).
  metafile: true,
});
writeFileSync(new URL('../dist/meta.json', import.meta.url), JSON.stringify(result.metafile));

// The JSON Schema for editors (yaml-language-server), generated from the same zod schema.
await import('./schema.mjs');
