import ssh2 from 'ssh2';
import { readFileSync } from 'node:fs';
const k = ssh2.utils.parseKey(readFileSync('/tmp/cpt150-K1vweS/id_ed25519_pass'), 'OzYhv9tsVQxd');
console.log(k instanceof Error ? k : (Array.isArray(k) ? 'arr' : k.type));
const k2 = ssh2.utils.parseKey(readFileSync('/tmp/cpt150-K1vweS/id_ed25519'));
for (const key of [k2, k]) {
const c = new ssh2.Client();
await new Promise<void>((res) => {
c.on('ready', () => { console.log('ready'); c.end(); res(); }).on('error', (e) => { console.log('err', e.message); res(); });
c.connect({ host: '10.213.150.10', username: 'cpuser150', privateKey: key as any, authHandler: ['publickey'], debug: (m) => /auth|USERAUTH|publickey/i.test(m) && console.log(m) });
});
}
