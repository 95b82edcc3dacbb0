/**
 * The team store's schema, as numbered migrations applied in order by `bud-incident store migrate`
 * (in one transaction, under an advisory lock, recorded in `bud_incident.schema_migrations`).
 *
 * The database keeps the timeline's guarantees itself, so a client with a bug (or a person with
 * psql) cannot break them:
 * - every row's hash is checked on insert against its previous hash and the exact JSON that was
 *   hashed (`body`), with the same SHA-256 as the local file (`src/timeline/event.ts`);
 * - each row must follow the incident's last row (seq + 1, prev = its hash): one chain per incident;
 * - UPDATE, DELETE and TRUNCATE of events are refused by triggers, whatever the role's privileges;
 * - `event_id`, chosen by the client, is unique per incident: a retried append cannot land twice.
 * `data` is the event's data as jsonb for queries; `body` keeps the exact text that was hashed
 * (jsonb reorders keys), and a check keeps the two equal. Data jsonb cannot hold (a NUL or a lone
 * surrogate escape) is kept in `body` only, with `data` NULL.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const SCHEMA = 'bud_incident';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'incidents and their append-only, hash-chained events',
    sql: `
CREATE TABLE ${SCHEMA}.incidents (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,80}$'),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE ${SCHEMA}.events (
  incident text NOT NULL REFERENCES ${SCHEMA}.incidents (id),
  seq bigint NOT NULL CHECK (seq >= 1),
  event_id text NOT NULL CHECK (length(event_id) BETWEEN 8 AND 128),
  ts text NOT NULL,
  actor text NOT NULL,
  type text NOT NULL,
  data jsonb,
  body text NOT NULL,
  prev text NOT NULL CHECK (prev ~ '^[0-9a-f]{64}$'),
  hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (incident, seq),
  UNIQUE (incident, event_id),
  CONSTRAINT events_hash_is_own CHECK (hash = encode(sha256(convert_to(prev || E'\\n' || body, 'UTF8')), 'hex')),
  CONSTRAINT events_body_matches CHECK (data IS NULL OR body::jsonb = jsonb_build_array(seq, ts, actor, type, data))
);

CREATE FUNCTION ${SCHEMA}.events_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  last_seq bigint;
  last_hash text;
BEGIN
  SELECT seq, hash INTO last_seq, last_hash FROM ${SCHEMA}.events
    WHERE incident = NEW.incident ORDER BY seq DESC LIMIT 1;
  IF last_seq IS NULL THEN
    IF NEW.seq <> 1 OR NEW.prev <> repeat('0', 64) THEN
      RAISE EXCEPTION 'event % of incident % does not start its chain (seq 1, genesis prev)', NEW.seq, NEW.incident
        USING ERRCODE = 'check_violation';
    END IF;
  ELSIF NEW.seq <> last_seq + 1 OR NEW.prev <> last_hash THEN
    RAISE EXCEPTION 'event % of incident % does not follow event % (seq + 1, prev = its hash)', NEW.seq, NEW.incident, last_seq
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER events_chain BEFORE INSERT ON ${SCHEMA}.events
  FOR EACH ROW EXECUTE FUNCTION ${SCHEMA}.events_chain();

CREATE FUNCTION ${SCHEMA}.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the incident record is append-only: % on %.% is refused', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON ${SCHEMA}.events
  FOR EACH ROW EXECUTE FUNCTION ${SCHEMA}.refuse_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON ${SCHEMA}.events
  FOR EACH STATEMENT EXECUTE FUNCTION ${SCHEMA}.refuse_change();
CREATE TRIGGER incidents_append_only BEFORE UPDATE OR DELETE ON ${SCHEMA}.incidents
  FOR EACH ROW EXECUTE FUNCTION ${SCHEMA}.refuse_change();
CREATE TRIGGER incidents_no_truncate BEFORE TRUNCATE ON ${SCHEMA}.incidents
  FOR EACH STATEMENT EXECUTE FUNCTION ${SCHEMA}.refuse_change();

CREATE FUNCTION ${SCHEMA}.events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('bud_incident_events', NEW.incident);
  RETURN NULL;
END $$;

CREATE TRIGGER events_notify AFTER INSERT ON ${SCHEMA}.events
  FOR EACH ROW EXECUTE FUNCTION ${SCHEMA}.events_notify();
`,
  },
  {
    version: 2,
    name: 'artifacts: the step outputs and evidence events point to, shared with the events',
    sql: `
CREATE TABLE ${SCHEMA}.artifacts (
  incident text NOT NULL REFERENCES ${SCHEMA}.incidents (id),
  path text NOT NULL CHECK (path ~ '^(artifacts|evidence)/' AND path !~ '(^|/)\\.\\.(/|$)'),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  content bytea NOT NULL,
  received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (incident, path, sha256),
  CONSTRAINT artifacts_hash_is_own CHECK (encode(sha256(content), 'hex') = sha256)
);
CREATE TRIGGER artifacts_append_only BEFORE UPDATE OR DELETE ON ${SCHEMA}.artifacts
  FOR EACH ROW EXECUTE FUNCTION ${SCHEMA}.refuse_change();
CREATE TRIGGER artifacts_no_truncate BEFORE TRUNCATE ON ${SCHEMA}.artifacts
  FOR EACH STATEMENT EXECUTE FUNCTION ${SCHEMA}.refuse_change();
`,
  },
];

/** The newest schema version this build knows. */
export const LATEST_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);
