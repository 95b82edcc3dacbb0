import { FakeKubeServer } from '../support/fake-kube.js';
import { databaseDownCluster } from '../support/cluster.js';
import { writeFileSync } from 'node:fs';
const s = await new FakeKubeServer(databaseDownCluster()).start();
writeFileSync('/tmp/fk/kubeconfig', s.kubeconfig());
console.log('listening', s.url);
setTimeout(() => { console.log(JSON.stringify(s.requests.map(r => r.method + ' ' + r.path + r.query + ' [' + r.accept.slice(0,60) + ']'), null, 1)); process.exit(0); }, 25000);
