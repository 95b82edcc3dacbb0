/**
 * What the network probes say: the certificate of the identity provider (expired, or a chain not
 * trusted here), its clock (skewed: tokens rejected), and the platform API (rate-limiting, server
 * errors, our token refused, the share of endpoints not serving). A platform API failing with a
 * cause already found in the cluster is evidence for that cause, so this runs after the cluster rules.
 */
import { rank } from '../rank.js';
import { ago, iso } from '../evidence.js';
import { addCause, type Sweep } from '../sweep.js';

export function probes(sw: Sweep): void {
  const { snapshot: s, now, settings: st, causes, unchecked } = sw;
  let inferenceFailingPct = sw.inferenceFailingPct;
  const p = s.probes;
  if (p.tls) {
    if (p.tls.result.ok) {
      const cert = p.tls.result.value;
      if (new Date(cert.validTo).getTime() <= now.getTime())
        addCause(sw, {
          id: 'certificate-expiry',
          subject: p.tls.url,
          title: `the certificate of ${p.tls.url} expired ${ago(cert.validTo, now)} ago: clients refuse to connect`,
          evidence: [
            `certificate ${cert.subject || '?'} issued by ${cert.issuer || '?'}: valid ${iso(cert.validFrom)} to ${iso(cert.validTo)}`,
          ],
          explains: [],
          runbook: 'auth-failure',
          impact: 'major',
          facts: { url: p.tls.url },
        });
      else if (!cert.authorized && cert.authorizationError)
        unchecked.push({
          what: `certificate of ${p.tls.url}`,
          reason: `its chain is not trusted here (${cert.authorizationError}); its dates are fine`,
          fix: 'add the issuing CA to NODE_EXTRA_CA_CERTS to check the chain too',
        });
    } else
      unchecked.push({
        what: `certificate of ${p.tls.url}`,
        reason: p.tls.result.reason,
        fix: 'check keycloakUrl in the config and that it is reachable from here',
      });
  }
  if (p.clock) {
    if (p.clock.result.ok) {
      const c = p.clock.result.value;
      const skew = new Date(c.serverDate).getTime() - new Date(c.localMid).getTime();
      if (Math.abs(skew) > st.maxClockSkewMs + 1000 + c.roundTripMs / 2)
        addCause(sw, {
          id: 'clock-skew',
          subject: p.clock.url,
          title: `${p.clock.url}'s clock is ${Math.round(Math.abs(skew) / 1000)}s ${skew > 0 ? 'ahead of' : 'behind'} this machine: tokens are rejected as not yet valid or expired`,
          evidence: [`Date header ${c.serverDate}, local ${c.localMid} (round trip ${c.roundTripMs} ms)`],
          explains: [],
          runbook: 'auth-failure',
          impact: 'major',
          facts: { url: p.clock.url, skewSeconds: String(Math.round(skew / 1000)) },
        });
    } else
      unchecked.push({
        what: `clock of ${p.clock.url}`,
        reason: p.clock.result.reason,
        fix: 'check keycloakUrl in the config and that it is reachable from here',
      });
  }
  if (p.endpoints) {
    const e = p.endpoints.result;
    if (e.ok && e.value.status === 429)
      addCause(sw, {
        id: 'rate-limiting',
        subject: p.endpoints.url,
        title: `the platform API rate-limits requests (HTTP 429${e.value.retryAfter ? `, Retry-After ${e.value.retryAfter}` : ''})`,
        evidence: [`GET ${p.endpoints.url}/endpoints → 429 Too Many Requests`],
        explains: [],
        runbook: 'inference-failures',
        impact: 'inference',
        facts: {},
      });
    else if (e.ok && e.value.status >= 500) {
      // Users see it: evidence of impact. A cause found in the cluster explains it; only with none
      // found is the failing API a problem of its own.
      const line = `GET ${p.endpoints.url}/endpoints → HTTP ${e.value.status}`;
      const top = rank(causes).find((c) => !c.explainedBy);
      if (top) top.evidence.push(`the platform API answers: ${line}`);
      else
        addCause(sw, {
          id: 'app-crash',
          subject: p.endpoints.url,
          title: `the platform API answers HTTP ${e.value.status} and nothing in the cluster shows why`,
          evidence: [line],
          explains: [],
          runbook: 'sev1-response',
          impact: 'major',
          facts: {},
        });
    } else if (e.ok && e.value.status >= 400)
      unchecked.push({
        what: 'the platform API',
        reason: `it answered HTTP ${e.value.status} to our request${e.value.status === 401 || e.value.status === 403 ? ' (our token is not accepted)' : ''}`,
        fix: 'set $TOKEN to a valid platform API token',
      });
    else if (e.ok && e.value.list) {
      const healthy = /^(running|healthy|ready|active|deployed|serving)$/i;
      const bad = e.value.list.filter((x) => !healthy.test(String(x.status)));
      if (e.value.list.length && bad.length)
        inferenceFailingPct = Math.max(inferenceFailingPct ?? 0, Math.round((bad.length / e.value.list.length) * 100));
    } else if (!e.ok)
      unchecked.push({ what: 'the platform API', reason: e.reason, fix: 'check apiUrl in the config and that it is reachable from here' });
  }
  sw.inferenceFailingPct = inferenceFailingPct;
}
