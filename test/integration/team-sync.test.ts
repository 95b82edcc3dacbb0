/**
 * The sync between a laptop's copy and the team store, at the seams the CLI tests cannot time:
 * two syncs of one copy that overlap (two commands on one laptop), a pull that comes back longer
 * than what the other already confirmed, an event sent by one sync and found by the other before
 * the first has written it, and what a killed sync leaves behind. Real PostgreSQL; each scenario
 * ends with the copy compared byte for byte with the server's chain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresLocation } from '../../src/store/location.js';
import { PgStore } from '../../src/store/pg.js';
import { MARKER_FILE, readMarker, syncIncident } from '../../src/store/sync.js';
import { readVerifiedEvents, TimelineStore } from '../../src/timeline/store.js';
import { PG_AVAILABLE, freshDatabase } from '../support/pg.js';

describe.runIf(PG_AVAILABLE)('team sync of one copy', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let work: string;
  const stores: PgStore[] = [];
  let n = 0;

  beforeAll(async () => {
    db = await freshDatabase('bud_sync');
    work = mkdtempSync(join(tmpdir(), 'bud-incident-sync-'));
    const admin = await connect();
    await admin.migrate();
  });
  afterAll(async () => {
    for (const s of stores) await s.close().catch(() => undefined);
    await db.drop();
    rmSync(work, { recursive: true, force: true });
  });

  async function connect(): Promise<PgStore> {
    const s = await PgStore.connect(postgresLocation(db.url, 'test'));
    stores.push(s);
    return s;
  }
  /** A laptop: its copy of `id`, a writer on it, and a sync. */
  function laptop(id: string, actor: string) {
    const dir = join(work, `${actor}-${++n}`, id);
    mkdirSync(dir, { recursive: true });
    const timeline = new TimelineStore(dir, actor, () => new Date());
    return {
      dir,
      open: () => timeline.appendRaw([{ type: 'incident.opened', data: { id, title: `sync test ${id}`, severity: 'SEV2' } }]),
      note: (text: string) => timeline.appendRaw([{ type: 'note.added', data: { text } }]),
      sync: (store: PgStore) => syncIncident(store, id, dir),
    };
  }
  async function serverText(store: PgStore, id: string): Promise<string> {
    let text = '';
    for await (const e of store.eventsAfter(id, 0)) text += e.line;
    return text;
  }
  /** The store, with its pull held until `open()` (the rest passes through). */
  function gated(store: PgStore): { store: PgStore; open: () => void; reached: Promise<void> } {
    let open: () => void = () => undefined;
    let reach: () => void = () => undefined;
    const gate = new Promise<void>((r) => (open = r));
    const reached = new Promise<void>((r) => (reach = r));
    const wrapped = new Proxy(store, {
      get(target, key, receiver) {
        if (key === 'eventPages')
          return async function* (id: string, seq: number) {
            reach();
            await gate;
            yield* target.eventPages(id, seq);
          };
        const value: unknown = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    return { store: wrapped, open, reached };
  }
  const copyOf = (dir: string) => readFileSync(join(dir, 'timeline.jsonl'), 'utf8');

  it('a first pull makes the copy whole and leaves nothing else behind', async () => {
    const store = await connect();
    const a = laptop('2026-12-02-first-pull', 'alice');
    a.open();
    for (let i = 0; i < 24; i++) a.note(`a${i}`);
    expect(await a.sync(store)).toMatchObject({ sent: 25, pending: 0 });

    const b = laptop('2026-12-02-first-pull', 'bob');
    expect(await b.sync(store)).toEqual({ sent: 0, received: 25, pending: 0 });
    expect(copyOf(b.dir)).toBe(await serverText(store, '2026-12-02-first-pull'));
    expect(readdirSync(b.dir).sort()).toEqual([MARKER_FILE, 'timeline.jsonl']);
    expect(readMarker(b.dir)).toMatchObject({ seq: 25, bytes: Buffer.byteLength(copyOf(b.dir)) });
    expect([...readVerifiedEvents(join(b.dir, 'timeline.jsonl'))]).toHaveLength(25);
  });

  it('two syncs of one copy overlap: the later pull is longer than what the first confirmed', async () => {
    const id = '2026-12-02-overlap';
    const [s1, s2] = [await connect(), await connect()];
    const other = laptop(id, 'carol');
    other.open();
    other.note('c0');
    await other.sync(s1);
    const mine = laptop(id, 'dave');
    await mine.sync(s1); // the copy holds c0, confirmed

    other.note('c1');
    other.note('c2');
    await other.sync(s1);
    const late = gated(s2);
    const second = mine.sync(late.store); // will pull from c0 on, once let through
    await late.reached;
    expect(await mine.sync(s1)).toMatchObject({ received: 2 }); // confirms c1, c2
    other.note('c3');
    await other.sync(s1);
    late.open();
    // Its pull has c1..c3; c1 and c2 are confirmed already: only c3 is laid after them.
    expect(await second).toEqual({ sent: 0, received: 1, pending: 0 });
    expect(copyOf(mine.dir)).toBe(await serverText(s1, id));
    expect(readMarker(mine.dir).seq).toBe(5);
  });

  it("an event one sync sent is in the other sync's pull first: it is kept once, not re-sent", async () => {
    const id = '2026-12-02-sent-meanwhile';
    const [s1, s2] = [await connect(), await connect()];
    const other = laptop(id, 'erin');
    other.open();
    other.note('e0');
    await other.sync(s1);
    const mine = laptop(id, 'frank');
    await mine.sync(s1);

    const first = gated(s1);
    const second = gated(s2);
    const waiting = mine.sync(second.store); // reads an empty outbox, then waits to pull
    await second.reached;
    mine.note('written meanwhile'); // in the copy, not yet shared
    const sending = mine.sync(first.store); // sends it, then waits to pull
    await first.reached;
    second.open(); // this pull finds the event the other sync sent, and lays it first
    expect(await waiting).toMatchObject({ received: 1, pending: 0 });
    first.open();
    expect(await sending).toMatchObject({ sent: 1, pending: 0 });

    const text = copyOf(mine.dir);
    expect(text).toBe(await serverText(s1, id));
    expect(text.match(/written meanwhile/g)).toHaveLength(1);
    expect(await mine.sync(s1)).toEqual({ sent: 0, received: 0, pending: 0 });
  });

  it("removes a pull file left by a killed sync, and never another live process's", async () => {
    const store = await connect();
    const id = '2026-12-02-leftovers';
    const a = laptop(id, 'gina');
    a.open();
    a.note('g0');
    await a.sync(store);
    const dead = join(a.dir, 'timeline.jsonl.pull.999999999.0a1b2c3d.tmp');
    const live = join(a.dir, `timeline.jsonl.pull.${process.ppid}.0a1b2c3d.tmp`);
    writeFileSync(dead, 'half a pull');
    writeFileSync(live, 'another command pulling now');
    a.note('g1');
    await a.sync(store);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
    rmSync(live);
    expect(copyOf(a.dir)).toBe(await serverText(store, id));
  });

  it("an offline outbox is laid after teammates' events, re-chained, each event once", async () => {
    const id = '2026-12-02-outbox';
    const store = await connect();
    const other = laptop(id, 'hana');
    other.open();
    other.note('h0');
    await other.sync(store);
    const mine = laptop(id, 'ivan');
    await mine.sync(store);
    for (let i = 0; i < 3; i++) mine.note(`offline ${i}`); // not synced: the outbox
    for (let i = 1; i < 4; i++) other.note(`h${i}`);
    await other.sync(store);

    expect(await mine.sync(store)).toEqual({ sent: 3, received: 3, pending: 0 });
    const text = copyOf(mine.dir);
    expect(text).toBe(await serverText(store, id));
    const texts = [...readVerifiedEvents(join(mine.dir, 'timeline.jsonl'))].map((e) => e.data.text);
    expect(texts.slice(1, 5)).toEqual(['h0', 'h1', 'h2', 'h3']);
    expect(texts.slice(5).sort()).toEqual(['offline 0', 'offline 1', 'offline 2']);
  });
});
