import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';

const problems = (text: string) => parseConfig('config.yaml', text).diagnostics.map((d) => `${d.line}: ${d.field}: ${d.message}`);

describe('config values that become words of commands are held to what they name', () => {
  it.each([
    ['namespaces:\n  data: --kubeconfig=/tmp/evil\n', /namespaces\.data: must be a Kubernetes namespace name/],
    ['namespaces:\n  system: "bud system"\n', /namespaces\.system/],
    ['clusters:\n  control-plane: { context: "--server=https://evil" }\n', /context: must not start with "-"/],
    ['clusters:\n  control-plane: { kubeconfig: "-o" }\n', /kubeconfig: must not start with "-"/],
    ['keycloakRealm: "bud --insecure"\n', /keycloakRealm: must be a realm name/],
    ['apiUrl: "file:///etc/passwd"\n', /apiUrl: must be an http/],
  ])('%s is refused with its line and field', (text, message) => {
    expect(problems(text).join('\n')).toMatch(message);
  });

  it('ordinary values load', () => {
    expect(
      problems(
        'namespaces: { data: bud-data-prod }\nclusters:\n  control-plane: { kubeconfig: ~/.kube/prod, context: prod-admin@eu-1 }\nkeycloakRealm: bud\napiUrl: https://api.bud.example.com\n',
      ),
    ).toEqual([]);
  });
});
