// One of several processes appending to the same timeline at once (see test/support/faults.ts).
import { TimelineStore } from '../../src/timeline/store.js';

const [dir, actor, count] = process.argv.slice(2) as [string, string, string];
const store = new TimelineStore(dir, actor, () => new Date());
for (let i = 0; i < Number(count); i++) store.appendRaw([{ type: 'note.added', data: { text: String(i) } }]);
