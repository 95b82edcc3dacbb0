/**
 * curl: its exit codes and HTTP statuses read as could-not-check (no VPN, a cluster-internal name
 * asked from outside, an untrusted certificate) or as evidence (an answer from the system: an
 * expired certificate, an HTTP error, a refusal seen from inside the cluster).
 * Part of the reading of failed commands (../unchecked.ts).
 */
import { type FailureVerdict, problem, unchecked } from './verdict.js';
import { informativeLine } from './command.js';

export const isIpHost = (h: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(h) || h.startsWith('[') || h.includes(':');
/** Names that resolve only through the cluster's DNS (a Service short name, `x.ns.svc`, `….cluster.local`). */
export const isClusterInternal = (h: string) =>
  h !== '' && (/\.svc(\.cluster\.local)?\.?$|\.cluster\.local\.?$/.test(h) || (!h.includes('.') && h !== 'localhost' && !isIpHost(h)));
export const isLoopback = (h: string) => h === 'localhost' || h === '127.0.0.1' || h === '[::1]' || h === '::1';

export function urlOf(args: string[]): URL | undefined {
  for (const a of args) {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(a)) continue;
    try {
      return new URL(a);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** What an HTTP status from the server means for the check. */
export function httpStatusVerdict(status: number, url: string): FailureVerdict {
  if (status === 401 || status === 407)
    return unchecked(
      'auth',
      `${url} answered ${status}: ${status === 407 ? 'the proxy wants credentials' : 'the check sent no valid credentials'} (our token, not the service)`,
      'Check the token the runbook sends (its secret or --var) and retry.',
    );
  if (status === 403)
    return unchecked(
      'forbidden',
      `${url} answered 403 Forbidden to the check's credentials`,
      'Use credentials allowed to read this endpoint (the on-call token) and retry.',
    );
  if (status === 404 || status === 410)
    // A 404 from a health endpoint is usually a wrong path in the runbook; if the path is right, an
    // ingress that lost its backend also answers 404 — the reason says both.
    return unchecked(
      'not-found',
      `${url} answered ${status}: the path is wrong, or the route to the service is gone`,
      `Check the path with \`curl -i ${url}\` and fix the runbook's URL (or --var).`,
    );
  if ([400, 405, 406, 411, 413, 414, 415, 422].includes(status))
    return unchecked(
      'usage',
      `${url} answered ${status}: the check's request is malformed for this endpoint`,
      'Fix the method, headers or body the runbook sends.',
    );
  if (status === 408 || status === 429 || status >= 500) return problem('http-error', `${url} answered HTTP ${status}`);
  return { kind: 'unknown', reason: `${url} answered HTTP ${status}` };
}

/** TLS verification failures that are about trust on the client side, not the certificate's validity. */
export const TLS_TRUST =
  /unable to get local issuer certificate|self[- ]signed certificate|unable to verify the first certificate|unable to get issuer certificate|certificate chain|certificate verify failed|not trusted|unknown ca/i;

export function curlFailure(text: string, exitCode: number, args: string[], inPod: boolean): FailureVerdict {
  const code = Number(/curl: \((\d+)\)/.exec(text)?.[1] ?? exitCode);
  const url = urlOf(args);
  const shown = url ? url.href : 'the URL';
  const host =
    /Could not resolve host: (\S+)|Could not resolve:? ([^\s:]+)|Failed to connect to ([^\s:]+)/.exec(text)?.slice(1).find(Boolean) ??
    url?.hostname ??
    '';
  const line = informativeLine(text) ?? `curl exited ${code}`;
  switch (code) {
    case 1:
    case 3:
      return unchecked(
        'bad-url',
        `curl cannot use the URL ${shown}: ${line}`,
        'Fix the URL in the runbook (scheme, host, port) or the --var that fills it.',
      );
    case 2:
    case 4:
      return unchecked('tool', `curl cannot run here: ${line}`, 'Install a full curl build and retry.');
    case 5:
      return unchecked('unreachable', `curl could not resolve its proxy: ${line}`, 'Fix or unset HTTPS_PROXY/HTTP_PROXY and retry.');
    case 6:
      // From inside a pod, a name that does not resolve is the cluster's DNS answering: evidence.
      // From the responder's laptop it is far more often the laptop's DNS or VPN, so it is
      // could-not-check; a cluster-internal name there can never resolve and is the runbook's fault.
      if (inPod)
        return problem('dns', `${host || shown} does not resolve inside the cluster (cluster DNS failing, or the Service is gone)`);
      if (isClusterInternal(host))
        return unchecked(
          'unreachable',
          `${host} is a cluster-internal name, which resolves only inside the cluster`,
          'Run the check through `kubectl exec` in a pod, or `kubectl port-forward` and use localhost.',
        );
      return unchecked(
        'unreachable',
        `${host || shown} does not resolve from this machine (VPN or local DNS; or the record is gone)`,
        `Check the VPN and \`dig +short ${host || '<host>'}\`; if public resolvers (\`dig @1.1.1.1\`) fail too, the DNS record is the problem.`,
      );
    case 7:
      if (inPod) return problem('remote-exit', `nothing accepted a connection to ${host || shown} from inside the cluster: ${line}`);
      if (isLoopback(host))
        return unchecked(
          'unreachable',
          `nothing is listening on ${url?.host ?? host} on this machine`,
          'Start (or restart) the `kubectl port-forward` the check relies on and retry.',
        );
      return unchecked(
        'unreachable',
        `could not connect to ${host || shown} from this machine: ${line}`,
        'Check the VPN, proxy and firewall for this host, then retry.',
      );
    case 28:
      if (inPod) return problem('remote-exit', `${shown} did not answer in time from inside the cluster: ${line}`);
      return unchecked(
        'timeout',
        `${shown} did not answer in time from this machine: ${line}`,
        'Check the VPN, then retry with a longer --max-time if the endpoint is known to be slow.',
      );
    case 35:
    case 60:
    case 77:
    case 83:
      if (/certificate has expired/i.test(text)) return problem('tls-expired', `${url?.host ?? shown} presents an expired TLS certificate`);
      if (/certificate is not yet valid/i.test(text))
        return unchecked(
          'tls-trust',
          `${url?.host ?? shown}'s certificate is not valid yet by ${inPod ? 'the pod' : 'this machine'}'s clock`,
          'Sync the clock (`sudo timedatectl set-ntp true`) and retry.',
        );
      if (code === 77)
        return unchecked(
          'tls-trust',
          `curl could not read its CA certificates: ${line}`,
          'Fix the --cacert path (it must exist and be readable) and retry.',
        );
      if (/no alternative certificate subject name matches|does not match target host name|certificate subject name/i.test(text)) {
        // Calling a service by IP or by an internal name the certificate does not carry is the
        // check's mistake; the public name not matching may be the wrong certificate deployed.
        if (url && (isIpHost(url.hostname) || isClusterInternal(url.hostname)))
          return unchecked(
            'bad-url',
            `${url.hostname} is not a name on the certificate: ${line}`,
            'Call the URL by the name the certificate is issued for (use `curl --resolve name:443:IP`).',
          );
        return {
          kind: 'unknown',
          reason: `the certificate does not name ${url?.hostname ?? 'the host'} (wrong certificate deployed, or the wrong URL): ${line}`,
        };
      }
      if (/wrong version number|packet length too long|unknown protocol/i.test(text))
        return unchecked(
          'bad-url',
          `${shown} does not speak TLS on that port (plain HTTP?): ${line}`,
          'Use http:// or the TLS port in the runbook URL.',
        );
      if (TLS_TRUST.test(text))
        return unchecked(
          'tls-trust',
          `${inPod ? 'the pod' : 'this machine'} does not trust the certificate of ${url?.host ?? shown}: ${line}`,
          'Pass the issuing CA with `--cacert <ca.pem>` (or add it to the trust store) rather than using -k.',
        );
      return { kind: 'unknown', reason: line };
    case 22: {
      const status = Number(/returned error: (\d{3})/.exec(text)?.[1]);
      return Number.isNaN(status) ? { kind: 'unknown', reason: line } : httpStatusVerdict(status, shown);
    }
    case 52:
      return problem('http-error', `${shown} closed the connection without an answer (empty reply)`);
    default:
      return { kind: 'unknown', reason: line };
  }
}
