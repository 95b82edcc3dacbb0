/**
 * Reaching the team store the ways an SRE's psql does: the password from $PGPASSWORD, ~/.pgpass or
 * $PGPASSFILE (never shown), and TLS as libpq reads `sslmode` / $PGSSLMODE. Real PostgreSQL, started
 * by scripts/pg-server.sh with a password-only role group and a self-signed certificate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOk, sandbox, type Sandbox } from '../support/cli.js';
import { PG_AVAILABLE, asUser, freshDatabase, sql } from '../support/pg.js';

interface StatusJson {
  store: string;
  reachable?: boolean;
  sslMode?: string;
  tls?: string | null;
  schemaVersion?: number;
}

describe.runIf(PG_AVAILABLE)('connecting to the team store', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let certificate: string;
  const role = `pw_${Date.now().toString(36)}`;
  const password = 'Corr3ct-Horse-Battery';
  const laptop = (store: string, env: NodeJS.ProcessEnv = {}): Sandbox =>
    sandbox({ BUD_INCIDENT_STORE: store, BUD_INCIDENT_ACTOR: 'alice', ...env });
  async function status(box: Sandbox, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; json?: StatusJson; all: string }> {
    const r = await box.run(['store', 'status', '--json'], { env });
    let json: StatusJson | undefined;
    try {
      json = JSON.parse(r.stdout) as StatusJson;
    } catch {
      json = undefined;
    }
    return { code: r.code ?? -1, ...(json ? { json } : {}), all: r.stdout + r.stderr };
  }

  beforeAll(async () => {
    db = await freshDatabase('bud_conn');
    await runOk(laptop(db.url), ['store', 'migrate']);
    await sql(db.url, `CREATE ROLE ${role} LOGIN PASSWORD '${password}' IN ROLE bud_password_users`);
    await sql(db.url, `GRANT USAGE ON SCHEMA bud_incident TO ${role}; GRANT SELECT ON ALL TABLES IN SCHEMA bud_incident TO ${role}`);
    const [dir] = await sql<{ data_directory: string }>(db.url, 'SHOW data_directory');
    certificate = join(dir?.data_directory ?? '', 'server.crt');
  });
  afterAll(async () => {
    await db.drop();
    await sql(db.url.replace(/\/[^/]*$/, '/postgres'), `DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
  });

  it('takes the password from $PGPASSWORD, ~/.pgpass or $PGPASSFILE, and never shows it', async () => {
    const url = asUser(db.url, role);
    const port = new URL(db.url).port;
    const outputs: string[] = [];

    const none = await status(laptop(url));
    outputs.push(none.all);
    expect(none.code).toBe(3);
    expect(none.all).toMatch(/refused the login|password/i);
    expect(none.all).toMatch(/\$PGPASSWORD, ~\/\.pgpass or \$PGPASSFILE/);

    const wrong = await status(laptop(url, { PGPASSWORD: 'not-the-password' }));
    outputs.push(wrong.all);
    expect(wrong.code).toBe(3);
    expect(wrong.all).toMatch(/refused the login/);

    const fromVariable = await status(laptop(url, { PGPASSWORD: password }));
    outputs.push(fromVariable.all);
    expect(fromVariable.code).toBe(0);
    expect(fromVariable.json?.reachable).toBe(true);

    const box = laptop(url);
    const pgpass = join(box.dir, '.pgpass'); // HOME is the sandbox
    writeFileSync(pgpass, `127.0.0.1:${port}:*:${role}:${password}\n`);
    chmodSync(pgpass, 0o600);
    const fromHomeFile = await status(box);
    outputs.push(fromHomeFile.all);
    expect(fromHomeFile.code).toBe(0);

    const elsewhere = laptop(url);
    const file = join(elsewhere.dir, 'team.pgpass');
    writeFileSync(file, `*:*:*:${role}:${password}\n`, { mode: 0o600 });
    const fromNamedFile = await status(elsewhere, { PGPASSFILE: file });
    outputs.push(fromNamedFile.all);
    expect(fromNamedFile.code).toBe(0);

    // A command that records: the password is nowhere in the record either.
    const declared = await elsewhere.run(['declare', '--severity', 'SEV3', '--title', 'password from a file'], {
      env: { PGPASSFILE: file },
    });
    outputs.push(declared.stdout + declared.stderr);
    expect(declared.code).toBe(0);
    for (const text of outputs) expect(text).not.toContain(password);
  });

  it('reads sslmode as psql does: TLS by default when the server has it, require without verifying, verify-full against sslrootcert', async () => {
    expect(existsSync(certificate)).toBe(true);
    const box = laptop(db.url);

    const byDefault = await status(box);
    expect(byDefault.code).toBe(0);
    expect(byDefault.json).toMatchObject({ sslMode: 'prefer', tls: expect.stringMatching(/^TLS/) });

    const plain = await status(laptop(`${db.url}?sslmode=disable`));
    expect(plain.json).toMatchObject({ sslMode: 'disable', tls: null });
    const plainByVariable = await status(box, { PGSSLMODE: 'disable' });
    expect(plainByVariable.json).toMatchObject({ sslMode: 'disable', tls: null });

    // node-postgres alone would verify here (and refuse a self-signed certificate): libpq does not.
    const required = await status(laptop(`${db.url}?sslmode=require`));
    expect(required.code).toBe(0);
    expect(required.json?.tls).toMatch(/^TLS/);
    expect(required.all).not.toMatch(/SECURITY WARNING/);
    const human = await laptop(`${db.url}?sslmode=require`).run(['store', 'status']);
    expect(human.stdout).toMatch(/connection: encrypted \(TLS[^)]*\), server certificate NOT verified/);

    const unverified = await status(laptop(`${db.url}?sslmode=verify-full`));
    expect(unverified.code).toBe(3);
    expect(unverified.all).toMatch(/TLS certificate that does not verify: .*self-signed.*sslrootcert/);

    const verified = await status(laptop(`${db.url}?sslmode=verify-full&sslrootcert=${encodeURIComponent(certificate)}`));
    expect(verified.code).toBe(0);
    expect(verified.json).toMatchObject({ sslMode: 'verify-full', tls: expect.stringMatching(/^TLS/) });
    const byVariables = await status(box, { PGSSLMODE: 'verify-full', PGSSLROOTCERT: certificate });
    expect(byVariables.json).toMatchObject({ sslMode: 'verify-full', tls: expect.stringMatching(/^TLS/) });

    const typo = await status(laptop(`${db.url}?sslmode=requre`));
    expect(typo.code).not.toBe(0);
    expect(typo.all).toMatch(/invalid sslmode \\?"requre\\?": expected one of disable, allow, prefer, require, verify-ca, verify-full/);
  });
});
