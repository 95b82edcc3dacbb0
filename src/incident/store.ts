/**
 * Incidents on disk: `$BUD_INCIDENT_HOME/incidents/<id>/timeline.jsonl` (plus artifacts), and
 * `$BUD_INCIDENT_HOME/current`, the id of the incident commands act on by default.
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, sep } from 'node:path';
import { UserError, errorCode } from '../errors.js';
import { suggest } from '../suggest.js';
import type { TimelineEvent } from '../timeline/event.js';
import {
  ChainError,
  fsyncDir,
  readVerifiedEvents,
  TIMELINE_FILE,
  TimelineStore,
  TimelineWriteError,
  verifyTimeline,
} from '../timeline/store.js';

const ID = /^[a-z0-9][a-z0-9-]{0,80}$/;

/** `Platform outage: all 5xx!` → `platform-outage-all-5xx` (at most 40 characters). */
export function slugify(text: string, max = 40): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const cut = slug.length > max ? slug.slice(0, max).replace(/-[^-]*$/, '') || slug.slice(0, max) : slug;
  return cut.replace(/-+$/, '') || 'incident';
}

export interface HomeOptions {
  /** Read and append to a timeline that does not verify (`--ignore-chain`), after a warning. */
  ignoreChain?: boolean;
  /** Where that warning goes. */
  warn?: (message: string) => void;
}

export class IncidentHome {
  readonly incidentsDir: string;
  constructor(
    readonly root: string,
    private readonly actor: string,
    private readonly now: () => Date,
    private readonly options: HomeOptions = {},
  ) {
    this.incidentsDir = join(root, 'incidents');
  }

  /**
   * The incident's events, verified as they are read (chain, sequence, and that the record opens
   * this incident): a ChainError naming file:line at the first bad line, unless --ignore-chain.
   */
  events(id: string): Iterable<TimelineEvent> {
    return readVerifiedEvents(this.timeline(id).path, {
      incidentId: id,
      ...(this.options.ignoreChain ? { ignoreChain: true, onBroken: (e: ChainError) => this.warnBroken(e) } : {}),
    });
  }

  /** Verifies the incident's whole record before a reader that prints as it reads (timeline, post-mortem). */
  checkChain(id: string): { ok: true } | { ok: false; error: ChainError } {
    const path = this.timeline(id).path;
    const v = verifyTimeline(path, { incidentId: id });
    if (v.ok) return { ok: true };
    const error = new ChainError(path, v.firstBad.line, v.firstBad.reason);
    if (!this.options.ignoreChain) throw error;
    this.warnBroken(error);
    return { ok: false, error };
  }

  private warnBroken(e: ChainError): void {
    this.options.warn?.(
      `${e.path}:${e.line}: the timeline does not verify (${e.reason}); going on because of --ignore-chain: what follows may rest on altered records`,
    );
  }

  dir(id: string): string {
    if (!ID.test(id)) throw new UserError(`"${id}" is not a valid incident id (lower-case letters, digits and dashes)`);
    const dir = join(this.incidentsDir, id);
    this.refuseLinks(dir);
    return dir;
  }

  /**
   * An incident directory or timeline that is a symbolic link, or that resolves outside the state
   * home, would have the record read from and written to somewhere else: refused, with the path.
   */
  private refuseLinks(dir: string): void {
    for (const path of [dir, join(dir, TIMELINE_FILE)]) {
      let link = false;
      try {
        link = lstatSync(path).isSymbolicLink();
      } catch {
        return; // not there (yet): nothing to follow
      }
      if (link)
        throw new UserError(
          `${path} is a symbolic link (to ${readlinkSync(path)}); bud-incident does not follow links inside its state directory ${this.root}: move the real directory there, or set BUD_INCIDENT_HOME to where it is`,
          3,
        );
    }
    let real: string;
    let realRoot: string;
    try {
      real = realpathSync(dir);
      realRoot = realpathSync(this.root);
    } catch {
      return;
    }
    if (!real.startsWith(realRoot + sep))
      throw new UserError(
        `${dir} resolves to ${real}, outside the state directory ${this.root}${realRoot !== this.root ? ` (${realRoot})` : ''}: a link on the way leads out of it; bud-incident does not follow it`,
        3,
      );
  }

  timeline(id: string): TimelineStore {
    return new TimelineStore(this.dir(id), this.actor, this.now, this.options.ignoreChain);
  }

  exists(id: string): boolean {
    return ID.test(id) && existsSync(join(this.incidentsDir, id, 'timeline.jsonl'));
  }

  list(): string[] {
    try {
      return readdirSync(this.incidentsDir)
        .filter((id) => ID.test(id) && existsSync(join(this.incidentsDir, id, 'timeline.jsonl')))
        .sort();
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return [];
      throw error;
    }
  }

  /** Creates a fresh incident directory named `YYYY-MM-DD-<slug>` (with -2, -3... when taken). */
  create(title: string, at: Date): string {
    const base = `${at.toISOString().slice(0, 10)}-${slugify(title)}`;
    try {
      mkdirSync(this.incidentsDir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new TimelineWriteError(this.incidentsDir, error);
    }
    for (let n = 1; n < 1000; n++) {
      const id = n === 1 ? base : `${base}-${n}`;
      try {
        mkdirSync(join(this.incidentsDir, id), { mode: 0o700 });
        fsyncDir(this.incidentsDir);
        return id;
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw new TimelineWriteError(join(this.incidentsDir, id), error);
      }
    }
    throw new UserError(`too many incidents named ${base} today`);
  }

  currentId(): string | undefined {
    try {
      const id = readFileSync(join(this.root, 'current'), 'utf8').trim();
      return id && this.exists(id) ? id : undefined;
    } catch {
      return undefined;
    }
  }

  setCurrent(id: string): void {
    const tmp = join(this.root, `current.${process.pid}.tmp`);
    try {
      writeFileSync(tmp, id + '\n', { mode: 0o600 });
      renameSync(tmp, join(this.root, 'current'));
    } catch (error) {
      throw new TimelineWriteError(join(this.root, 'current'), error);
    }
    // The rename is durable only once the directory is.
    fsyncDir(this.root);
  }

  /** Stops `id` being the current incident (when `current` still names it): later commands need --incident or a switch. */
  clearCurrent(id: string): void {
    const path = join(this.root, 'current');
    if (this.currentId() !== id) return;
    try {
      unlinkSync(path);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw new TimelineWriteError(path, error);
    }
    fsyncDir(this.root);
  }

  /** The incident named by --incident, or the current one; a clear error when there is none. */
  resolve(explicit: string | undefined): string {
    if (explicit) {
      if (this.exists(explicit)) return explicit;
      throw new UserError(`no incident "${explicit}" in ${this.incidentsDir}${suggest(explicit, this.list())}`);
    }
    const current = this.currentId();
    if (current) return current;
    const all = this.list();
    throw new UserError(
      all.length
        ? `no current incident; pass --incident ID (known: ${all.slice(-5).join(', ')}) or declare one`
        : `no incident yet in ${this.root}: run "bud-incident run <runbook>" or "bud-incident declare" first`,
    );
  }
}
