/**
 * A real PostgreSQL for the team-store tests: `$BUD_INCIDENT_TEST_PG` names a server and a role
 * that may create databases (`.ci/run` starts one with scripts/pg-server.sh; so can you, see the
 * README). Each test file gets a database of its own, dropped at the end.
 *
 * Without the variable the team tests are skipped, and say so; with `BUD_INCIDENT_REQUIRE_PG=1`
 * (CI) a missing or unreachable server fails them instead, so CI cannot pass by skipping.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const TEST_PG = process.env.BUD_INCIDENT_TEST_PG;
export const PG_REQUIRED = process.env.BUD_INCIDENT_REQUIRE_PG === '1';
/** Whether the team tests run: a server is named (or required, and then its absence fails them). */
export const PG_AVAILABLE = Boolean(TEST_PG) || PG_REQUIRED;

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** A fresh, empty database on the test server; `drop()` removes it (and ends its connections). */
export async function freshDatabase(prefix = 'bud_t'): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  if (!TEST_PG) throw new Error('BUD_INCIDENT_TEST_PG is not set: start a server with scripts/pg-server.sh start (see README)');
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(TEST_PG, name),
    name,
    drop: async () => {
      const c = new pg.Client({ connectionString: TEST_PG });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Runs SQL on a database as the test role; returns the rows. */
export async function sql<R extends Record<string, unknown> = Record<string, unknown>>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<R>(text, values)).rows;
  } finally {
    await c.end();
  }
}

/** The URL with another user (and password) in it. */
export function asUser(url: string, user: string, password?: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = password ?? '';
  return u.toString();
}

/**
 * A TCP relay on 127.0.0.1 in front of the test server: the "network" between a laptop and the
 * team store. `down()` closes it and cuts every connection (a laptop losing the network); `up()`
 * opens it again on the same port.
 */
export async function relay(
  url: string,
): Promise<{ url: string; down: () => Promise<void>; up: () => Promise<void>; close: () => Promise<void> }> {
  const net = await import('node:net');
  const target = new URL(url);
  const sockets = new Set<import('node:net').Socket>();
  let server: import('node:net').Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = net.createServer((client) => {
        const upstream = net.connect(Number(target.port || 5432), target.hostname);
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const end = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', end).on('close', end);
        upstream.on('error', end).on('close', end);
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        const address = s.address();
        if (address && typeof address === 'object') port = address.port;
        server = s;
        resolve();
      });
    });
  const down = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      if (!server) return resolve();
      server.close(() => resolve());
      server = undefined;
    });
  await listen();
  const via = new URL(url);
  via.port = String(port);
  return { url: via.toString(), down, up: listen, close: down };
}
