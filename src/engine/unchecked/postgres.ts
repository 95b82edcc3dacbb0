/**
 * PostgreSQL's client tools (pg_isready, psql): their exit codes and messages read as
 * could-not-check (wrong credentials for the check, no route from here) or as evidence (the
 * database rejecting, down, or answering with an error from inside the cluster).
 * Part of the reading of failed commands (../unchecked.ts).
 */
import { type FailureVerdict, problem, unchecked } from './verdict.js';
import { informativeLine, textLines } from './command.js';

export function pgIsReadyFailure(exitCode: number, text: string, inPod: boolean): FailureVerdict {
  // pg_isready: 0 accepting, 1 rejecting (starting up / shutting down), 2 no response, 3 no attempt (bad parameters).
  const line = textLines(text).find((l) => / - (rejecting connections|no response|no attempt)/.test(l));
  switch (exitCode) {
    case 1:
      return problem(
        'remote-exit',
        `PostgreSQL is up but rejecting connections (starting up, shutting down or in crash recovery)${line ? `: ${line}` : ''}`,
      );
    case 2:
      if (inPod)
        return problem(
          'remote-exit',
          `PostgreSQL did not respond (not running, or not listening on that host/port)${line ? `: ${line}` : ''}`,
        );
      return unchecked(
        'unreachable',
        `PostgreSQL did not respond to this machine${line ? ` (${line})` : ''}: from here a dead server and a missing tunnel look the same`,
        'Check the `kubectl port-forward` (or VPN) to the database, or run pg_isready through `kubectl exec`.',
      );
    case 3:
      return unchecked(
        'usage',
        `pg_isready made no attempt to connect: its parameters are invalid${line ? ` (${line})` : ''}`,
        'Fix the -h/-p/-d options in the runbook.',
      );
    default:
      return { kind: 'unknown', reason: line ?? `pg_isready exited ${exitCode}` };
  }
}

export function psqlFailure(text: string, exitCode: number, inPod: boolean): FailureVerdict {
  let m: RegExpExecArray | null;
  const line = informativeLine(text) ?? `psql exited ${exitCode}`;
  if ((m = /password authentication failed for user "([^"]+)"|no password supplied|role "([^"]+)" does not exist/.exec(text)))
    return unchecked(
      'auth',
      `PostgreSQL rejected the check's login: ${line}`,
      'Fix the user/password the runbook passes (PGUSER/PGPASSWORD or its secret).',
    );
  if (/no pg_hba\.conf entry for host/.test(text))
    return unchecked(
      'forbidden',
      `pg_hba.conf does not allow the check's connection: ${line}`,
      'Connect from an allowed host (run it through `kubectl exec` in the database pod) or use an allowed user.',
    );
  if ((m = /permission denied for (?:table|relation|schema|database|function|sequence|view) (\S+)/.exec(text)))
    return unchecked(
      'forbidden',
      `the check's database user may not read ${m[1]}: ${line}`,
      'Use a database role with read access (e.g. pg_monitor) in the runbook.',
    );
  if ((m = /database "([^"]+)" does not exist/.exec(text)))
    return unchecked('not-found', `the database ${m[1]} does not exist`, 'Fix the database name (-d) the runbook passes.');
  if (/(relation|column|schema) "[^"]+" does not exist|function \S+ does not exist/.test(text))
    return unchecked(
      'not-found',
      `the check's query names something that is not in this database: ${line}`,
      'Fix the query, or connect to the right database with -d.',
    );
  if (/syntax error at or near|unterminated quoted string/.test(text))
    return unchecked('usage', `the check's SQL is invalid: ${line}`, 'Fix the SQL in the runbook.');
  if (/root certificate file .* does not exist|SSL error: certificate verify failed|certificate verify failed/.test(text))
    return unchecked(
      'tls-trust',
      `psql does not trust the server certificate: ${line}`,
      'Point PGSSLROOTCERT at the CA (or use sslmode=require) in the runbook.',
    );
  if (
    /the database system is (starting up|shutting down|in recovery mode|not yet accepting connections|not accepting connections)|too many clients|remaining connection slots are reserved|canceling statement due to|server closed the connection unexpectedly|terminating connection/.test(
      text,
    )
  )
    return problem('remote-exit', `PostgreSQL answered that it is unhealthy: ${line}`);
  if ((m = /could not translate host name "([^"]+)" to address/.exec(text)))
    return inPod
      ? problem('dns', `${m[1]} does not resolve inside the cluster: ${line}`)
      : unchecked(
          'unreachable',
          `${m[1]} does not resolve from this machine: ${line}`,
          'Use the port-forward (localhost) or run psql through `kubectl exec`.',
        );
  if (/Connection refused|No such file or directory|Is the server running|timeout expired|Connection timed out/.test(text))
    return inPod
      ? problem('remote-exit', `PostgreSQL is not accepting connections in the pod: ${line}`)
      : unchecked(
          'unreachable',
          `could not reach PostgreSQL from this machine: ${line}`,
          'Check the `kubectl port-forward` (or VPN) to the database, or run psql through `kubectl exec`.',
        );
  if (/FATAL:/.test(text)) return problem('remote-exit', `PostgreSQL refused the session: ${line}`);
  return inPod ? problem('remote-exit', `psql exited ${exitCode}: ${line}`) : { kind: 'unknown', reason: line };
}
