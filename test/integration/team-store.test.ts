/**
 * Team mode against a real PostgreSQL (see test/support/pg.ts): several responders, each with a
 * laptop of their own (a sandbox: its own state directory and actor), pointing at one database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { jsonLines, runOk, sandbox, spawnCli, type Sandbox } from '../support/cli.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { PG_AVAILABLE, asUser, freshDatabase, relay, sql } from '../support/pg.js';

const RUNBOOK = `id: team-check
title: Team check
summary: One quick check whose output is kept as an artifact.
steps:
  - id: quick
    kind: check
    title: Quick check
    run: echo all bad
    expect:
      - matches: all good
        finding: { id: not-good, message: "not good" }
`;

describe.runIf(PG_AVAILABLE)('team store on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const laptop = (actor: string, store = db.url): Sandbox => sandbox({ BUD_INCIDENT_STORE: store, BUD_INCIDENT_ACTOR: actor });

  beforeAll(async () => {
    db = await freshDatabase();
    const r = await laptop('admin').run(['store', 'migrate']);
    expect(r.stdout + r.stderr).toMatch(/schema version 0 → 2 \(applied 1, 2\)/);
    expect(r.code).toBe(0);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('store migrate is idempotent, and a schema newer than this build is refused with nothing changed', async () => {
    const again = await laptop('admin').run(['store', 'migrate']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/schema up to date \(version 2\)/);

    // A database left at version 1 by an older bud-incident is brought to 2, and keeps its incidents.
    const older = await freshDatabase();
    try {
      const v1 = MIGRATIONS.find((m) => m.version === 1);
      await sql(
        older.url,
        `CREATE SCHEMA bud_incident; CREATE TABLE bud_incident.schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now()); ${v1?.sql ?? ''}; INSERT INTO bud_incident.schema_migrations VALUES (1, 'v1')`,
      );
      const up = await laptop('admin', older.url).run(['store', 'migrate']);
      expect(up.stdout).toMatch(/schema version 1 → 2 \(applied 2\)/);
      expect(up.code).toBe(0);
    } finally {
      await older.drop();
    }

    const newer = await freshDatabase();
    try {
      await runOk(laptop('admin', newer.url), ['store', 'migrate']);
      await sql(newer.url, `INSERT INTO bud_incident.schema_migrations (version, name) VALUES (99, 'from the future')`);
      const refused = await laptop('admin', newer.url).run(['store', 'migrate']);
      expect(refused.code).toBe(3);
      expect(refused.stderr).toMatch(/schema version 99, newer than this bud-incident knows \(2\).*nothing was changed/);
      const status = await laptop('admin', newer.url).run(['store', 'status']);
      expect(status.code).toBe(3);
      expect(status.stdout).toMatch(/version 99, newer than this bud-incident/);
    } finally {
      await newer.drop();
    }
  });

  it('never prints the password of the store URL', async () => {
    const secret = 'Sup3rS3cretPw';
    const url = asUser(db.url, 'nobody_here', secret);
    const box = laptop('alice', url);
    const r = await box.run(['store', 'status']);
    const d = await box.run(['declare', '--severity', 'SEV3', '--title', 'password check']);
    expect(r.stdout + r.stderr + d.stdout + d.stderr).not.toContain(secret);
    expect(r.code).toBe(3);
    // A store that answers and refuses this laptop is its set-up, not the network: the command is
    // refused before it writes (so nothing lands in a copy of a store nobody reads), and says how out.
    expect(d.code).toBe(3);
    expect(d.stderr).toMatch(/nothing was written: fix the store setting .* BUD_INCIDENT_STORE=local/);
    expect((await box.run(['incidents', 'list', '--json'])).stdout).not.toMatch(/password check/);
  });

  it('a typo in the store URL is refused before anything is written; a store that cannot be reached is not', async () => {
    const typo = laptop('frank', db.url.replace(/\/([^/]*)$/, '/$1_tset'));
    const d = await typo.run(['declare', '--severity', 'SEV2', '--title', 'wrong database']);
    expect(d.code).toBe(3);
    expect(d.stderr).toMatch(/has no such database/);
    expect(d.stderr).toMatch(/nothing was written/);
    const fixed = laptop('frank', db.url);
    fixed.env.BUD_INCIDENT_HOME = typo.env.BUD_INCIDENT_HOME;
    expect((await fixed.run(['incidents', 'list', '--json'])).stdout).not.toMatch(/wrong database/);

    const badMode = await laptop('frank', `${db.url}?sslmode=verify_full`).run(['note', 'x']);
    expect(badMode.code).toBe(2);
    expect(badMode.stderr).toMatch(/invalid sslmode "verify_full"/);
    const noCert = await laptop('frank', `${db.url}?sslmode=verify-full&sslrootcert=/nonexistent/ca.crt`).run(['store', 'status']);
    expect(noCert.code).toBe(3);
    expect(noCert.stdout).toMatch(/sslrootcert=\/nonexistent\/ca\.crt: no such readable file/);
    expect(noCert.stderr).not.toMatch(/internal error/);

    // Nothing listening (the network, a server down): the command works on the copy, as before.
    const away = laptop('frank', 'postgres://postgres@127.0.0.1:9/bud_nowhere');
    const offline = await away.run(['declare', '--severity', 'SEV2', '--title', 'while the network is down']);
    expect(offline.code).toBe(0);
    expect(offline.stderr).toMatch(/working offline/);
  });

  it('four responders on one database see each other: status, handoff, checklist and the post-mortem show everyone', async () => {
    const ic = laptop('alice');
    const tech = laptop('bob');
    const comms = laptop('carol');
    const scribe = laptop('dave');
    const dir = join(tech.dir, 'runbooks');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'team-check.yaml'), RUNBOOK);

    const declared = await runOk(ic, ['declare', '--severity', 'SEV1', '--title', 'Team outage', '--json']);
    const id = (JSON.parse(declared.stdout) as { id: string }).id;
    const inc = ['--incident', id];
    await runOk(ic, ['assign', 'commander', 'alice', ...inc]);
    await runOk(tech, ['run', 'team-check', '--yes', '--runbooks-dir', dir, ...inc], [0, 1]);
    await runOk(comms, ['update', '--status', 'Investigating', '--impact', 'all API calls fail', ...inc]);
    await runOk(scribe, ['note', 'database team paged', ...inc]);
    await runOk(ic, ['handoff', '--to', 'erin', ...inc]);
    await runOk(ic, ['resolve', '--root-cause', 'bad config', '--resolution', 'rolled back', ...inc]);

    // Every laptop sees every actor's events.
    for (const box of [ic, tech, comms, scribe]) {
      const t = await runOk(box, ['timeline', '--json', ...inc]);
      const actors = new Set(jsonLines(t.stdout).map((e) => e.actor));
      expect([...actors].sort()).toEqual(expect.arrayContaining(['alice', 'bob', 'carol', 'dave']));
      const v = await runOk(box, ['timeline', 'verify', ...inc]);
      expect(v.stdout).toMatch(/hash chain intact/);
      // The database's own record, read and checked straight from it, and the copy level with it.
      expect(v.stdout).toMatch(
        /team store postgres:\S+: \d+ events, hash chain intact, head sha256:[0-9a-f]{64}; this copy is level with it/,
      );
    }
    const status = await runOk(scribe, ['status', ...inc]);
    expect(status.stdout).toMatch(/resolved/i);
    const checklist = await runOk(comms, ['checklist', 'sev1', '--json', ...inc]);
    expect(checklist.stdout).toContain('alice');

    // The post-mortem from the database (a third person's copy) equals the one from an export pulled into a local store.
    const fromDb = await runOk(scribe, ['postmortem', 'generate', '-o', '-', ...inc]);
    expect(fromDb.stdout).toContain('database team paged');
    expect(fromDb.stdout).toContain('all API calls fail');
    const offlineWriter = sandbox({ BUD_INCIDENT_ACTOR: 'dave', BUD_INCIDENT_STORE: db.url });
    await runOk(offlineWriter, ['incidents', 'pull', id]);
    const localOnly = sandbox({ BUD_INCIDENT_ACTOR: 'dave', BUD_INCIDENT_HOME: offlineWriter.home });
    const fromCopy = await runOk(localOnly, ['postmortem', 'generate', '-o', '-', ...inc]);
    expect(fromCopy.stdout).toBe(fromDb.stdout);

    // An export verifies on its own.
    const file = join(scribe.dir, 'export.jsonl');
    await runOk(scribe, ['incidents', 'export', id, '-o', file]);
    const verified = await runOk(sandbox(), ['timeline', 'verify', '--file', file]);
    expect(verified.stdout).toMatch(/hash chain intact, opens incident/);
    const rows = await sql<{ n: string }>(db.url, 'SELECT count(*) AS n FROM bud_incident.events WHERE incident = $1', [id]);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(Number(rows[0]?.n));
  }, 120_000);

  it('offline: commands still work, status says what waits, and the next command that reaches the store sends it in order', async () => {
    const net = await relay(db.url);
    try {
      const alice = laptop('alice', net.url);
      const bob = laptop('bob', net.url);
      const declared = await runOk(alice, ['declare', '--severity', 'SEV2', '--title', 'Offline test', '--json']);
      const id = (JSON.parse(declared.stdout) as { id: string }).id;
      const inc = ['--incident', id];
      await runOk(bob, ['note', 'bob was here first', ...inc]);

      await net.down();
      const n1 = await alice.run(['note', 'first while offline', ...inc]);
      const n2 = await alice.run(['note', 'second while offline', ...inc]);
      expect(n1.code).toBe(0);
      expect(n2.code).toBe(0);
      expect(n1.stderr).toMatch(/working offline/);
      expect(n2.stderr).toMatch(/offline: 2 events not yet shared/);
      const st = await alice.run(['status', ...inc]);
      expect(st.code).toBe(0);
      expect(st.stdout).toMatch(/offline: 2 events not yet shared with postgres:\/\/postgres@127\.0\.0\.1/);
      // Meanwhile bob's laptop cannot see them either, and nothing is in the database.
      expect(await noteTexts(db.url, id)).toEqual(['bob was here first']);

      await net.up();
      const back = await runOk(alice, ['status', ...inc]);
      expect(back.stderr).not.toMatch(/working offline|not yet shared/);
      expect(back.stdout).toMatch(/team store postgres:\/\/\S+: shared/);
      expect(await noteTexts(db.url, id)).toEqual(['bob was here first', 'first while offline', 'second while offline']);
      // Each kept its original time and actor; the server gave them their sequence.
      const rows = await sql<{ actor: string; ts: string }>(
        db.url,
        `SELECT actor, ts FROM bud_incident.events WHERE incident = $1 AND type = 'note.added' ORDER BY seq`,
        [id],
      );
      expect(rows.map((r) => r.actor)).toEqual(['bob', 'alice', 'alice']);
      const alices = jsonLines((await runOk(alice, ['timeline', '--json', ...inc])).stdout).filter((e) => e.type === 'note.added');
      const bobs = jsonLines((await runOk(bob, ['timeline', '--json', ...inc])).stdout).filter((e) => e.type === 'note.added');
      expect(bobs).toEqual(alices);
      expect(alices.map((e) => e.ts)).toEqual(rows.map((r) => r.ts));
    } finally {
      await net.close();
    }
  }, 120_000);

  it("an update written offline says its head witness is this laptop's until the record is shared", async () => {
    const net = await relay(db.url);
    try {
      const alice = laptop('alice', net.url);
      const declared = await runOk(alice, ['declare', '--severity', 'SEV2', '--title', 'Offline witness', '--json']);
      const inc = ['--incident', (JSON.parse(declared.stdout) as { id: string }).id];
      const online = await runOk(alice, ['update', '--status', 'Investigating', '--impact', 'some logins fail', ...inc]);
      expect(online.stderr).not.toMatch(/head witness/);
      await net.down();
      await alice.run(['note', 'written offline', ...inc]);
      const offline = await alice.run(['update', '--status', 'Identified', '--impact', 'some logins fail', ...inc]);
      expect(offline.code).toBe(0);
      expect(offline.stderr).toMatch(/1 event of this record is not yet shared with .*: the head witness in this message is this laptop's/);
    } finally {
      await net.close();
    }
  });

  it("timeline --follow and status --watch show a teammate's events as they land, and reconnect after the network comes back", async () => {
    const net = await relay(db.url);
    try {
      const alice = laptop('alice', net.url);
      const bob = laptop('bob');
      const declared = await runOk(bob, ['declare', '--severity', 'SEV2', '--title', 'Follow test', '--json']);
      const id = (JSON.parse(declared.stdout) as { id: string }).id;
      const follow = spawnCli(alice, ['timeline', '--follow', '--incident', id]);
      await withTimeout(follow.waitFor('Incident opened: Follow test'), 20_000, 'follow did not print the timeline');
      const watch = spawnCli(alice, ['status', '--watch', '--incident', id]);
      await withTimeout(watch.waitFor('Follow test', 'team store'), 20_000, 'watch did not print the status');
      await runOk(bob, ['note', 'bob: first look at the database', '--incident', id]);
      await withTimeout(follow.waitFor('bob: first look at the database'), 20_000, 'follow did not show the first note');
      await runOk(bob, ['assign', 'commander', 'bob', '--incident', id]);
      await withTimeout(watch.waitFor('Incident Commander: bob'), 20_000, 'watch did not redraw with the new commander');

      await net.down();
      await new Promise((r) => setTimeout(r, 500));
      await runOk(bob, ['note', 'bob: written while alice was cut off', '--incident', id]);
      await net.up();
      await withTimeout(follow.waitFor('bob: written while alice was cut off'), 40_000, 'follow did not catch up after reconnecting');

      follow.child.kill('SIGINT');
      watch.child.kill('SIGINT');
      expect(await withTimeout(follow.closed, 15_000, 'follow did not end on Ctrl-C')).toBe(0);
      expect(await withTimeout(watch.closed, 15_000, 'watch did not end on Ctrl-C')).toBe(0);

      // Ctrl-C while it is still connecting (right after the first screen) ends it too.
      for (let i = 0; i < 3; i++) {
        const early = spawnCli(alice, ['timeline', '--follow', '--incident', id]);
        await withTimeout(early.waitFor('Incident opened: Follow test'), 20_000, 'follow did not print the timeline');
        early.child.kill('SIGINT');
        const code = await withTimeout(early.closed, 15_000, 'follow did not end on an early Ctrl-C');
        // It ends: cleanly once it watches, or by the signal itself if it came before the watch began.
        expect(code === 0 || early.child.signalCode === 'SIGINT', `exit ${code}, signal ${early.child.signalCode}`).toBe(true);
      }
    } finally {
      await net.close();
    }
  }, 120_000);

  it("a long run's steps reach the team while it is still running, not only when it ends", async () => {
    const ic = laptop('alice');
    const tech = sandbox({ BUD_INCIDENT_STORE: db.url, BUD_INCIDENT_ACTOR: 'bob', BUD_INCIDENT_SHARE_EVERY_MS: '300' });
    const dir = join(tech.dir, 'runbooks');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'slow-check.yaml'),
      [
        'id: slow-check',
        'title: Slow check',
        'summary: A quick step, then one that takes a while.',
        'steps:',
        '  - id: quick',
        '    kind: check',
        '    title: Quick check',
        '    run: echo all good',
        '    expect:',
        '      - matches: all good',
        '        finding: { id: quick-bad, message: "quick is bad" }',
        '  - id: slow',
        '    kind: check',
        '    title: Slow check',
        '    run: sleep 8',
        '    timeout: 30s',
        '    expect:',
        '      - exitCode: 0',
        '        finding: { id: slow-bad, message: "slow is bad" }',
        '',
      ].join('\n'),
    );
    const declared = await runOk(ic, ['declare', '--severity', 'SEV2', '--title', 'Long run shared as it goes', '--json']);
    const id = (JSON.parse(declared.stdout) as { id: string }).id;
    const run = spawnCli(tech, ['run', 'slow-check', '--yes', '--runbooks-dir', dir, '--incident', id]);
    let exited = false;
    void run.closed.then(() => (exited = true));
    // The quick step's end is on the server while the slow one still runs.
    const deadline = Date.now() + 7000;
    let seen: string[] = [];
    while (Date.now() < deadline && !exited) {
      seen = (
        await sql<{ step: string }>(
          db.url,
          `SELECT data->>'stepId' AS step FROM bud_incident.events WHERE incident = $1 AND type = 'step.finished'`,
          [id],
        )
      ).map((r) => r.step);
      if (seen.includes('quick')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(seen).toContain('quick');
    expect(exited).toBe(false);
    // A teammate's laptop sees it too, mid-run.
    const t = await runOk(ic, ['timeline', '--json', '--incident', id]);
    expect(jsonLines(t.stdout).some((e) => e.type === 'step.finished' && e.actor === 'bob')).toBe(true);
    expect(await run.closed).toBe(0);
    // And when it ends, everything is there once, in one verified chain.
    const all = await sql<{ n: string }>(
      db.url,
      `SELECT count(*) AS n FROM bud_incident.events WHERE incident = $1 AND type = 'step.finished'`,
      [id],
    );
    expect(Number(all[0]?.n)).toBe(2);
    await runOk(ic, ['timeline', 'verify', '--incident', id]);
  }, 60_000);

  it('two laptops that declared the same incident offline: the second shares its own under another id, nothing lost', async () => {
    const net = await relay(db.url);
    try {
      const alice = laptop('alice', net.url);
      const bob = laptop('bob', net.url);
      await net.down();
      const a = await alice.run(['declare', '--severity', 'SEV2', '--title', 'Same title offline', '--json']);
      const b = await bob.run(['declare', '--severity', 'SEV2', '--title', 'Same title offline', '--json']);
      const id = (JSON.parse(a.stdout) as { id: string }).id;
      expect((JSON.parse(b.stdout) as { id: string }).id).toBe(id);
      await runOk(bob, ['note', "bob's finding while offline"]);
      await net.up();

      await runOk(alice, ['note', "alice's note, shared"]);
      const refused = await bob.run(['status']);
      expect(refused.stderr).toMatch(
        new RegExp(`incident ${id} was not synced: .*already has an incident "${id}", opened by someone else`),
      );
      expect(refused.stderr).toMatch(new RegExp(`incidents push ${id} --as ${id}-2`));

      const pushed = await runOk(bob, ['incidents', 'push', id, '--as', `${id}-2`]);
      expect(pushed.stdout).toMatch(new RegExp(`${id} → ${id}-2: \\d+ events sent`));
      expect(pushed.stdout).toMatch(/refused copy of .* is kept in .*set-aside/);

      // Bob's record is on the server under the new id, whole, with a note saying where it came from.
      const t = await runOk(alice, ['timeline', '--json', '--incident', `${id}-2`]);
      const texts = jsonLines(t.stdout).map((e) => (e.data as { text?: string }).text);
      expect(texts).toContain("bob's finding while offline");
      expect(texts.some((x) => x?.startsWith(`shared under id ${id}-2`))).toBe(true);
      await runOk(alice, ['timeline', 'verify', '--incident', `${id}-2`]);
      // Alice's incident is untouched, and bob's laptop now reads the team's one under its id.
      const mine = await runOk(bob, ['timeline', '--json', '--incident', id]);
      const theirs = jsonLines(mine.stdout).map((e) => (e.data as { text?: string }).text);
      expect(theirs).toContain("alice's note, shared");
      expect(theirs).not.toContain("bob's finding while offline");
      const again = await bob.run(['status', '--incident', id]);
      expect(again.stderr).not.toMatch(/not synced/);
      // The id checks: a bad one and one the team already has are refused with nothing sent.
      expect((await bob.run(['incidents', 'push', id, '--as', 'Not An Id'])).code).toBe(2);
      const taken = await bob.run(['incidents', 'push', `${id}-2`, '--as', id]);
      expect(taken.code).toBe(2);
    } finally {
      await net.close();
    }
  }, 60_000);

  it('a retried append whose reply was lost does not append twice', async () => {
    const alice = laptop('alice');
    const declared = await runOk(alice, ['declare', '--severity', 'SEV3', '--title', 'Retry test', '--json']);
    const id = (JSON.parse(declared.stdout) as { id: string }).id;
    await runOk(alice, ['note', 'only once', '--incident', id]);
    // The reply is "lost": the laptop forgets the server confirmed anything, and syncs again.
    const marker = join(alice.home, 'team');
    const { readdirSync, rmSync } = await import('node:fs');
    const [key] = readdirSync(marker);
    rmSync(join(marker, key ?? '', 'incidents', id, 'shared.json'));
    await runOk(alice, ['note', 'and this one', '--incident', id]);
    expect(await noteTexts(db.url, id)).toEqual(['only once', 'and this one']);
    const v = await runOk(alice, ['timeline', 'verify', '--incident', id]);
    expect(v.stdout).toMatch(/hash chain intact/);
  }, 60_000);

  it('the database refuses to edit or delete an event, for the owner (triggers) and for a role without the privilege', async () => {
    const alice = laptop('alice');
    const declared = await runOk(alice, ['declare', '--severity', 'SEV3', '--title', 'Tamper test', '--json']);
    const id = (JSON.parse(declared.stdout) as { id: string }).id;
    await expect(sql(db.url, `UPDATE bud_incident.events SET actor = 'mallory' WHERE incident = $1`, [id])).rejects.toThrow(
      /append-only: UPDATE/,
    );
    await expect(sql(db.url, `DELETE FROM bud_incident.events WHERE incident = $1`, [id])).rejects.toThrow(/append-only: DELETE/);
    await expect(sql(db.url, `TRUNCATE bud_incident.events`)).rejects.toThrow(/append-only: TRUNCATE/);
    // A forged row (a hash that is not its own) and a row that does not chain are refused on insert.
    await expect(
      sql(
        db.url,
        `INSERT INTO bud_incident.events (incident, seq, event_id, ts, actor, type, data, body, prev, hash)
         SELECT incident, seq + 1, 'forged-event-1', ts, 'mallory', type, data, body, hash, hash FROM bud_incident.events WHERE incident = $1 AND seq = 1`,
        [id],
      ),
    ).rejects.toThrow(/events_hash_is_own|events_body_matches|does not follow/);

    const role = `responder_${Date.now().toString(36)}`;
    await sql(db.url, `CREATE ROLE ${role} LOGIN`);
    try {
      await sql(
        db.url,
        `GRANT USAGE ON SCHEMA bud_incident TO ${role}; GRANT SELECT ON ALL TABLES IN SCHEMA bud_incident TO ${role}; GRANT INSERT ON bud_incident.events, bud_incident.incidents TO ${role}`,
      );
      const asResponder = asUser(db.url, role);
      // That role runs the whole CLI (it needs no more than SELECT and INSERT) ...
      const bob = laptop('bob', asResponder);
      await runOk(bob, ['note', 'written by a role that can only insert', '--incident', id]);
      expect(await noteTexts(db.url, id)).toContain('written by a role that can only insert');
      // ... and cannot change what is written.
      await expect(sql(asResponder, `UPDATE bud_incident.events SET actor = 'mallory' WHERE incident = $1`, [id])).rejects.toThrow(
        /permission denied/,
      );
      await expect(sql(asResponder, `DELETE FROM bud_incident.events WHERE incident = $1`, [id])).rejects.toThrow(/permission denied/);
    } finally {
      await sql(db.url, `DROP OWNED BY ${role}; DROP ROLE ${role}`);
    }
  }, 60_000);

  it('incidents push shares a local incident with its chain preserved', async () => {
    const solo = sandbox({ BUD_INCIDENT_ACTOR: 'frank' });
    const declared = await runOk(solo, ['declare', '--severity', 'SEV2', '--title', 'Solo incident', '--json']);
    const id = (JSON.parse(declared.stdout) as { id: string }).id;
    await runOk(solo, ['note', 'written on a plane', '--incident', id]);
    // A run whose output is kept as an artifact: pushed along with the events that point to it.
    const dir = join(solo.dir, 'runbooks');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'team-check.yaml'), RUNBOOK);
    await runOk(solo, ['run', 'team-check', '--yes', '--runbooks-dir', dir, '--incident', id], [0, 1]);
    const localHead = (await runOk(solo, ['timeline', 'verify', '--json', '--incident', id])).stdout;
    const head = (JSON.parse(localHead) as { head: string }).head;

    const r = await solo.run(['incidents', 'push', id, '--json'], { env: { BUD_INCIDENT_STORE: db.url } });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { chainPreserved: boolean; serverEvents: number };
    expect(out.chainPreserved).toBe(true);
    const rows = await sql<{ hash: string }>(db.url, 'SELECT hash FROM bud_incident.events WHERE incident = $1 ORDER BY seq DESC LIMIT 1', [
      id,
    ]);
    expect(rows[0]?.hash).toBe(head);
    // A teammate sees it.
    const gina = laptop('gina');
    const t = await runOk(gina, ['timeline', '--json', '--incident', id]);
    expect(jsonLines(t.stdout).some((e) => e.type === 'note.added' && e.data.text === 'written on a plane')).toBe(true);
    const v = await runOk(gina, ['timeline', 'verify', '--incident', id]);
    expect(v.stdout).toMatch(/✔ \d+ artifact\(s\) match the hashes recorded in the timeline/);
  }, 60_000);
});

async function noteTexts(url: string, id: string): Promise<string[]> {
  const rows = await sql<{ text: string }>(
    url,
    `SELECT data->>'text' AS text FROM bud_incident.events WHERE incident = $1 AND type = 'note.added' ORDER BY seq`,
    [id],
  );
  return rows.map((r) => r.text);
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error(what)), ms)))]);
  } finally {
    clearTimeout(t);
  }
}
