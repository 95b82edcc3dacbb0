/**
 * The team store's server side: one PostgreSQL database holding every incident's events in one
 * append-only, hash-chained table (schema in migrations.ts).
 *
 * The client is node-postgres (`pg`), imported only when a team store is used, so the local
 * store's start-up does not change. It reads credentials the standard ways (the URL, the `PG*`
 * variables, `~/.pgpass` or `$PGPASSFILE`) and TLS as psql does (`sslmode` in the URL or
 * `$PGSSLMODE`, see tls.ts). Errors are reported without the connection string, which may hold a
 * password.
 *
 * Appends are totally ordered per incident by a transaction-scoped advisory lock on the incident
 * (no UPDATE privilege needed, unlike SELECT … FOR UPDATE); each event carries an id chosen by the
 * client, and the append skips ids the incident already has, so a retry after a lost reply does not
 * append twice. The server keeps each event's original time and actor and assigns its sequence.
 *
 * About 400 lines on purpose: every SQL statement against the schema of migrations.ts is here, so
 * a change of the schema is read against all its uses in one file.
 */
import type { Client as PgClient, ClientConfig } from 'pg';
import { GENESIS_HASH, hashEvent, type TimelineEvent } from '../timeline/event.js';
import { UserError, errorCode, errorMessage } from '../errors.js';
import { LATEST_VERSION, MIGRATIONS, SCHEMA } from './migrations.js';
import type { StoreLocation } from './location.js';
import { connectAttempts, tryNext, type SslMode } from './tls.js';

type PgLocation = Extract<StoreLocation, { kind: 'postgres' }>;

/** An event to share: its content and the id that makes its append idempotent. */
export interface OutgoingEvent {
  id: string;
  ts: string;
  actor: string;
  type: string;
  data: Record<string, unknown>;
}

/**
 * An event as the server holds it: the timeline event, the id its writer gave it, and its line in a
 * timeline file (built from the exact hashed text, `body`, whose data starts at `dataStart`).
 */
export type StoredEvent = TimelineEvent & { id: string; line: string; body: string; dataStart: number };

/** The server could not be reached (network, timeout, server down): the caller may go offline. */
export class StoreUnreachable extends UserError {
  constructor(
    readonly display: string,
    readonly why: string,
  ) {
    super(`cannot reach the team store ${display}: ${why}`, 3);
  }
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
/** Node's codes for a server certificate that does not verify. */
const TLS_CERT_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
]);
/** SQLSTATEs that mean the server went away, is starting/stopping, or is out of resources (too many connections): class 08, 53, 57P0x. */
const UNREACHABLE_STATES = /^(08|53|57P0[1-4])/;

/** Says what went wrong, in words, without the connection string. */
function explain(location: PgLocation, error: unknown, connectionString = location.url): UserError {
  const code = errorCode(error) ?? '';
  const message = errorMessage(error).replaceAll(connectionString, location.display).replaceAll(location.url, location.display);
  if (UNREACHABLE_CODES.has(code) || UNREACHABLE_STATES.test(code) || /timeout|terminated|Connection terminated|closed/i.test(message))
    return new StoreUnreachable(location.display, code && !UNREACHABLE_STATES.test(code) ? `${code} (${message})` : message);
  // node-postgres says this when the server asks for a password (SCRAM) and none was found.
  if (/client password must be a string/.test(message))
    return new UserError(
      `the team store ${location.display} asks for a password and none was given (set it in $PGPASSWORD, ~/.pgpass or $PGPASSFILE)`,
      3,
    );
  if (code === '28P01' || code === '28000')
    return new UserError(
      `the team store ${location.display} refused the login: ${message} (set the password in $PGPASSWORD, ~/.pgpass or $PGPASSFILE)`,
      3,
    );
  if (code === '3D000') return new UserError(`the team store ${location.display} has no such database: ${message}`, 3);
  if (TLS_CERT_CODES.has(code) || code.startsWith('ERR_TLS_'))
    return new UserError(
      `the team store ${location.display} gave a TLS certificate that does not verify: ${message} [${code}]; give the CA that signed it with sslrootcert=FILE in the URL or $PGSSLROOTCERT (sslmode=require encrypts without verifying)`,
      3,
    );
  if (code === '42501') return new UserError(`the team store ${location.display} refused: ${message} (the role lacks a privilege)`, 3);
  return new UserError(`the team store ${location.display} failed: ${message}${code ? ` [${code}]` : ''}`, 3);
}

export interface ConnectOptions {
  /** How long to wait for the server to answer the connection (default 3 s). */
  connectTimeoutMs?: number;
  /** The longest any one statement may run (default 30 s). */
  statementTimeoutMs?: number;
  /** Where the `PGSSL*` settings come from (default: this process's environment). */
  env?: NodeJS.ProcessEnv;
}

export class PgStore {
  private constructor(
    readonly location: PgLocation,
    private readonly client: PgClient,
    /** The TLS mode asked for (sslmode, $PGSSLMODE, or psql's default: prefer). */
    readonly sslMode: SslMode,
  ) {}

  /** Connects (the client module is imported here, not before). */
  static async connect(location: PgLocation, options: ConnectOptions = {}): Promise<PgStore> {
    let pg: typeof import('pg');
    try {
      const mod = await import('pg');
      // Bundled, pg is CommonJS: a dynamic import gives its exports as `default`.
      pg = 'Client' in mod ? mod : (mod as { default: typeof import('pg') }).default;
    } catch (error) {
      throw new UserError(`cannot load the PostgreSQL client (pg): ${errorMessage(error)}`, 70);
    }
    let plan: ReturnType<typeof connectAttempts>;
    try {
      plan = connectAttempts(location.url, options.env ?? process.env);
    } catch (error) {
      throw new UserError(`the team store ${location.display}: ${errorMessage(error)}`, 2);
    }
    for (const [i, attempt] of plan.attempts.entries()) {
      const config: ClientConfig = {
        connectionString: attempt.url,
        connectionTimeoutMillis: options.connectTimeoutMs ?? 3000,
        statement_timeout: options.statementTimeoutMs ?? 30_000,
        application_name: 'bud-incident',
        keepAlive: true,
      };
      const client = new pg.Client(config);
      // A connection lost while idle surfaces on the next query; without a listener it would crash the process.
      client.on('error', () => undefined);
      try {
        await client.connect();
        return new PgStore(location, client, plan.wanted);
      } catch (error) {
        await client.end().catch(() => undefined);
        if (i + 1 < plan.attempts.length && tryNext(attempt.mode, errorMessage(error), errorCode(error))) continue;
        throw explain(location, error, attempt.url);
      }
    }
    throw new UserError(`the team store ${location.display}: no way to connect was tried`, 70);
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }

  /** Runs a query; failures become UserErrors that never show the connection string. */
  private async query<R extends Record<string, unknown>>(text: string, values: unknown[] = []): Promise<R[]> {
    try {
      const result = await this.client.query<R>(text, values);
      return result.rows;
    } catch (error) {
      throw explain(this.location, error);
    }
  }

  private async transaction<T>(work: () => Promise<T>): Promise<T> {
    await this.query('BEGIN');
    try {
      const result = await work();
      await this.query('COMMIT');
      return result;
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /** The schema version the database is at (0: never migrated). */
  async schemaVersion(): Promise<number> {
    const [exists] = await this.query<{ t: string | null }>(`SELECT to_regclass('${SCHEMA}.schema_migrations')::text AS t`);
    if (!exists?.t) return 0;
    const [row] = await this.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${SCHEMA}.schema_migrations`);
    return row?.v ?? 0;
  }

  /**
   * Applies the migrations the database lacks, in order, in one transaction; refuses a database
   * whose schema is newer than this build knows. Returns the versions applied (none: up to date).
   */
  async migrate(): Promise<{ from: number; to: number; applied: number[] }> {
    return this.transaction(async () => {
      // Two `store migrate` at once: the second waits, then finds nothing to do.
      await this.query(`SELECT pg_advisory_xact_lock(hashtextextended('bud-incident:migrate', 0))`);
      await this.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
      await this.query(
        `CREATE TABLE IF NOT EXISTS ${SCHEMA}.schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const from = await this.schemaVersion();
      if (from > LATEST_VERSION) throw newerSchema(this.location, from);
      const applied: number[] = [];
      for (const m of MIGRATIONS) {
        if (m.version <= from) continue;
        await this.query(m.sql);
        await this.query(`INSERT INTO ${SCHEMA}.schema_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
        applied.push(m.version);
      }
      return { from, to: Math.max(from, ...applied), applied };
    });
  }

  /** Refuses to work on a database that is not at this build's schema (with the command that fixes it). */
  async requireSchema(): Promise<void> {
    const version = await this.schemaVersion();
    if (version > LATEST_VERSION) throw newerSchema(this.location, version);
    if (version < LATEST_VERSION)
      throw new UserError(
        `the team store ${this.location.display} is at schema version ${version}, this bud-incident needs ${LATEST_VERSION}: run "bud-incident store migrate"`,
        3,
      );
  }

  /** The server's version string and the database's size of the record, for `store status`. */
  async serverInfo(): Promise<{ server: string; tls: string | undefined; record?: { incidents: number; events: number } }> {
    const [v] = await this.query<{ v: string; tls: string | null }>(
      'SELECT current_setting($1) AS v, (SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid() AND ssl) AS tls',
      ['server_version'],
    );
    const server = `PostgreSQL ${v?.v ?? '?'}`;
    const tls = v?.tls ?? undefined;
    if ((await this.schemaVersion()) === 0) return { server, tls };
    const [c] = await this.query<{ i: string; e: string }>(
      `SELECT (SELECT count(*) FROM ${SCHEMA}.incidents) AS i, (SELECT count(*) FROM ${SCHEMA}.events) AS e`,
    );
    return { server, tls, record: { incidents: Number(c?.i ?? 0), events: Number(c?.e ?? 0) } };
  }

  /** Every incident with the seq and hash of its last event (seq 0 and the genesis hash when it has none). */
  async heads(): Promise<Map<string, { seq: number; hash: string }>> {
    const rows = await this.query<{ id: string; seq: string | null; hash: string | null }>(
      `SELECT i.id, e.seq, e.hash FROM ${SCHEMA}.incidents i
         LEFT JOIN LATERAL (SELECT seq, hash FROM ${SCHEMA}.events WHERE incident = i.id ORDER BY seq DESC LIMIT 1) e ON true
        ORDER BY i.id`,
    );
    return new Map(rows.map((r) => [r.id, { seq: Number(r.seq ?? 0), hash: r.hash ?? GENESIS_HASH }]));
  }

  /**
   * Appends events to an incident, in the order given, after whatever it already has; events whose
   * id the incident already holds are skipped (a retry). Returns how many were new. One transaction:
   * all or nothing.
   */
  async append(incident: string, events: readonly OutgoingEvent[]): Promise<{ appended: number; skipped: number }> {
    if (events.length === 0) return { appended: 0, skipped: 0 };
    return this.transaction(async () => {
      await this.query(`SELECT pg_advisory_xact_lock(hashtextextended('bud-incident:' || $1, 0))`, [incident]);
      await this.query(`INSERT INTO ${SCHEMA}.incidents (id) VALUES ($1) ON CONFLICT DO NOTHING`, [incident]);
      const known = new Set(
        (
          await this.query<{ event_id: string }>(`SELECT event_id FROM ${SCHEMA}.events WHERE incident = $1 AND event_id = ANY($2)`, [
            incident,
            events.map((e) => e.id),
          ])
        ).map((r) => r.event_id),
      );
      const fresh = events.filter((e) => !known.has(e.id));
      if (fresh.length === 0) return { appended: 0, skipped: events.length };
      const [head] = await this.query<{ seq: string; hash: string; type: string }>(
        `SELECT seq, hash, type FROM ${SCHEMA}.events WHERE incident = $1 ORDER BY seq DESC LIMIT 1`,
        [incident],
      );
      let seq = Number(head?.seq ?? 0);
      let prev = head?.hash ?? GENESIS_HASH;
      const opening = fresh.find((e) => e.type === 'incident.opened');
      if (seq > 0 && opening)
        throw new UserError(
          `the team store ${this.location.display} already has an incident "${incident}", opened by someone else: this one was not shared. Share yours under another id: bud-incident incidents push ${incident} --as ${incident}-2`,
          3,
        );
      if (seq === 0 && fresh[0]?.type !== 'incident.opened')
        throw new UserError(
          `the team store ${this.location.display} has no record of incident "${incident}" to add these ${fresh.length} events to: this laptop's copy came from another store, or the database was replaced. Nothing was sent; your events are kept locally.`,
          3,
        );
      const rows = fresh.map((e) => {
        seq += 1;
        const body = JSON.stringify([seq, e.ts, e.actor, e.type, e.data]);
        const hash = hashEvent(prev, seq, e.ts, e.actor, e.type, e.data);
        const row = {
          seq,
          id: e.id,
          ts: e.ts,
          actor: e.actor,
          type: e.type,
          data: jsonbSafe(body) ? JSON.stringify(e.data) : null,
          body,
          prev,
          hash,
        };
        prev = hash;
        return row;
      });
      for (let i = 0; i < rows.length; i += 1000) {
        const chunk = rows.slice(i, i + 1000);
        await this.query(
          `INSERT INTO ${SCHEMA}.events (incident, seq, event_id, ts, actor, type, data, body, prev, hash)
           SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::text[], $9::text[], $10::text[])
           ORDER BY 1`,
          [
            incident,
            chunk.map((r) => r.seq),
            chunk.map((r) => r.id),
            chunk.map((r) => r.ts),
            chunk.map((r) => r.actor),
            chunk.map((r) => r.type),
            chunk.map((r) => r.data),
            chunk.map((r) => r.body),
            chunk.map((r) => r.prev),
            chunk.map((r) => r.hash),
          ],
        );
      }
      return { appended: rows.length, skipped: events.length - rows.length };
    });
  }

  /** Which of these artifacts the server holds already. */
  async artifactsHeld(incident: string, refs: ReadonlyArray<{ path: string; sha256: string }>): Promise<Set<string>> {
    if (refs.length === 0) return new Set();
    const rows = await this.query<{ path: string; sha256: string }>(
      `SELECT path, sha256 FROM ${SCHEMA}.artifacts WHERE incident = $1 AND (path, sha256) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
      [incident, refs.map((r) => r.path), refs.map((r) => r.sha256)],
    );
    return new Set(rows.map((r) => `${r.path}\0${r.sha256}`));
  }

  /** Stores an artifact (content-addressed: the database checks the hash; a second copy is skipped). */
  async putArtifact(incident: string, ref: { path: string; sha256: string }, content: Buffer): Promise<void> {
    await this.query(`INSERT INTO ${SCHEMA}.incidents (id) VALUES ($1) ON CONFLICT DO NOTHING`, [incident]);
    await this.query(`INSERT INTO ${SCHEMA}.artifacts (incident, path, sha256, content) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [
      incident,
      ref.path,
      ref.sha256,
      content,
    ]);
  }

  /** An artifact's content, or undefined when no laptop has shared it. */
  async getArtifact(incident: string, ref: { path: string; sha256: string }): Promise<Buffer | undefined> {
    const [row] = await this.query<{ content: Buffer }>(
      `SELECT content FROM ${SCHEMA}.artifacts WHERE incident = $1 AND path = $2 AND sha256 = $3`,
      [incident, ref.path, ref.sha256],
    );
    return row?.content;
  }

  /** The incident's events after `seq`, in order, read in pages so memory stays bounded. */
  async *eventsAfter(incident: string, seq: number): AsyncGenerator<StoredEvent> {
    for await (const page of this.eventPages(incident, seq)) yield* page;
  }

  /**
   * The incident's events after `seq`, a page at a time (each page one query, in seq order). The
   * next page is asked for before this one is handed over, so the server reads it while the caller
   * works on this one.
   */
  async *eventPages(incident: string, seq: number, pageSize = 10_000): AsyncGenerator<StoredEvent[]> {
    const page = (after: number) => {
      const rows = this.query<Row>(
        `SELECT seq, NULLIF(event_id, hash) AS event_id, ts, actor, type, body, CASE WHEN seq = $2 + 1 THEN prev END AS prev, hash
           FROM ${SCHEMA}.events WHERE incident = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
        [incident, after, pageSize],
      );
      rows.catch(() => undefined); // awaited below; a caller that stops early must not leave it unhandled
      return { after, rows };
    };
    let next = page(seq);
    for (;;) {
      const { after, rows } = { after: next.after, rows: await next.rows };
      const full = rows.length === pageSize;
      // Seqs follow one another (the database refuses a gap): the next page starts after this one.
      if (full) next = page(after + rows.length);
      if (rows.length > 0) yield fromRows(rows, after);
      if (!full) return;
    }
  }

  /** Calls `onEvents(incident)` whenever events of an incident land; resolves when the connection ends. */
  async listen(onEvents: (incident: string) => void): Promise<void> {
    this.client.on('notification', (n) => {
      if (n.channel === 'bud_incident_events' && n.payload) onEvents(n.payload);
    });
    await this.query('LISTEN bud_incident_events');
    await new Promise<void>((resolve) => {
      this.client.once('end', resolve);
      this.client.once('error', () => resolve());
    });
  }
}

function newerSchema(location: PgLocation, version: number): UserError {
  return new UserError(
    `the team store ${location.display} is at schema version ${version}, newer than this bud-incident knows (${LATEST_VERSION}): upgrade bud-incident; nothing was changed`,
    3,
  );
}

/** jsonb holds no NUL character and no lone surrogate: such data is kept in the exact body only. */
function jsonbSafe(body: string): boolean {
  return !/\\u(0000|d[89a-f][0-9a-f]{2})/i.test(body);
}

// A type, not an interface: the query helper wants a Record.
type Row = {
  seq: string;
  /** NULL when it is the hash. */
  event_id: string | null;
  ts: string;
  actor: string;
  type: string;
  body: string;
  /** NULL after a page's first row. */
  prev: string | null;
  hash: string;
};

/**
 * An event read back from the server. The data comes from the exact text that was hashed (`body`),
 * not from jsonb, and is parsed only when read; the timeline line is assembled from that text when
 * asked for, and is exactly what `eventLine` would write (JSON.stringify of the same values, in the
 * same order). A class, not an object of closures: a long pull makes one per event.
 */
class ServerEvent implements StoredEvent {
  private parsed: Record<string, unknown> | undefined;
  private text: string | undefined;
  constructor(
    readonly seq: number,
    readonly ts: string,
    readonly actor: string,
    readonly type: string,
    readonly prev: string,
    readonly hash: string,
    readonly id: string,
    readonly body: string,
    readonly dataStart: number,
  ) {}
  get data(): Record<string, unknown> {
    this.parsed ??= JSON.parse(this.body.slice(this.dataStart, -1)) as Record<string, unknown>;
    return this.parsed;
  }
  get line(): string {
    this.text ??= lineStart(this) + this.body.slice(this.dataStart, -1) + lineEnd(this);
    return this.text;
  }
}

/**
 * A page of rows back to events. To send fewer bytes the query leaves out what the chain implies:
 * `prev` after a page's first row (it is the row before's hash: the database refuses any other), and
 * an event id that is the event's hash.
 */
function fromRows(rows: readonly Row[], after: number): StoredEvent[] {
  let prev = '';
  return rows.map((r, i) => {
    const seq = Number(r.seq);
    const head = `[${seq},${JSON.stringify(r.ts)},${JSON.stringify(r.actor)},${JSON.stringify(r.type)},`;
    if (!r.body.startsWith(head) || !r.body.endsWith(']'))
      throw new UserError(`the team store's event ${r.seq} does not match its own columns (seq, time, actor, type)`, 3);
    if (seq !== after + 1 + i || (i === 0 && r.prev === null))
      throw new UserError(`the team store's events of this incident are not numbered one after another (event ${r.seq} after ${after})`, 3);
    const e = new ServerEvent(seq, r.ts, r.actor, r.type, r.prev ?? prev, r.hash, r.event_id ?? r.hash, r.body, head.length);
    prev = r.hash;
    return e;
  });
}

const lineStart = (e: StoredEvent): string =>
  `{"seq":${e.seq},"ts":${JSON.stringify(e.ts)},"actor":${JSON.stringify(e.actor)},"type":${JSON.stringify(e.type)},"data":`;
const lineEnd = (e: StoredEvent): string =>
  `,"prev":${JSON.stringify(e.prev)},"hash":${JSON.stringify(e.hash)}${e.id !== e.hash ? `,"id":${JSON.stringify(e.id)}` : ''}}\n`;

/**
 * The events' timeline lines (as `line`), encoded straight into one buffer: for a long pull this
 * skips building a string per event. `ends` holds where each line ends in the buffer.
 */
export function encodeLines(events: readonly StoredEvent[]): { bytes: Buffer; ends: number[] } {
  let room = 0;
  for (const e of events) room += 3 * (e.body.length + e.ts.length + e.actor.length + e.type.length + e.id.length) + 256;
  const bytes = Buffer.allocUnsafe(room);
  const ends: number[] = [];
  let at = 0;
  for (const e of events) {
    at += bytes.write(lineStart(e), at);
    at += bytes.write(e.body.substring(e.dataStart, e.body.length - 1), at);
    at += bytes.write(lineEnd(e), at);
    ends.push(at);
  }
  return { bytes: bytes.subarray(0, at), ends };
}
