// Drive Okta's official Node SDK (@okta/okta-sdk-nodejs) against a running okta-mock.
//
// Usage: OKTA_CLIENT_ORGURL=http://127.0.0.1:PORT OKTA_CLIENT_TOKEN=TOKEN \
//        OKTA_SDK_NODE_DIR=DIR_WITH_node_modules node check_node_sdk.mjs
//
// The SDK needs no switch for a plain-HTTP org. Prints one line per check and a final
// `node-sdk: N passed, M failed`; exits 1 on any failure.

import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(path.join(process.env.OKTA_SDK_NODE_DIR, 'package.json'));
const okta = require('@okta/okta-sdk-nodejs');
const sdkVersion = require('@okta/okta-sdk-nodejs/package.json').version;

const ORG = process.env.OKTA_CLIENT_ORGURL;
const TOKEN = process.env.OKTA_CLIENT_TOKEN;
const RUN = `js${Date.now() % 1e9}`; // unique logins, so a rerun on one org works

const results = [];
function check(name, cond, detail = '') {
  results.push(Boolean(cond));
  let line = `${cond ? 'ok  ' : 'FAIL'} node-sdk: ${name}`;
  if (!cond && detail !== '') line += ` -- ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`;
  console.log(line);
}

/** The rejection of `promise` (or undefined if it resolved). */
async function failure(promise) {
  try {
    await promise;
    return undefined;
  } catch (e) {
    return e;
  }
}

function isOktaError(e, status, code) {
  return e instanceof okta.OktaApiError && e.status === status && (code === undefined || e.errorCode === code);
}

function newUser(login, password) {
  const body = { profile: { firstName: 'Sdk', lastName: 'Compat', email: login, login } };
  if (password) body.credentials = { password: { value: password } };
  return body;
}

/** All items of a collection via `.each()`, counting the HTTP pages fetched along the way. */
async function collect(collection) {
  let pages = 0;
  const fetch = collection.fetch.bind(collection);
  collection.fetch = () => { pages += 1; return fetch(); };
  const items = [];
  await collection.each(u => { items.push(u); });
  return { items, pages };
}

async function main() {
  const client = new okta.Client({ orgUrl: ORG, token: TOKEN });
  const users = client.userApi;
  const stagedLogin = `${RUN}.staged@example.com`;
  const activeLogin = `${RUN}.active@example.com`;

  // Create: activate=false -> STAGED; password + activate=true -> ACTIVE.
  const staged = await users.createUser({ body: newUser(stagedLogin), activate: false });
  check('createUser(activate: false) -> STAGED', staged.status === 'STAGED', staged.status);
  check('created user is an SDK User model', staged instanceof okta.User && /^00u.{17}$/.test(staged.id), staged.id);
  const active = await users.createUser({ body: newUser(activeLogin, 'Sdk-Compat-Pa55!'), activate: true });
  check('createUser(password, activate: true) -> ACTIVE', active.status === 'ACTIVE', active.status);

  // Get by id and by login.
  const byId = await users.getUser({ userId: staged.id });
  check('getUser(id)', byId.id === staged.id && byId.profile.login === stagedLogin);
  const byLogin = await users.getUser({ userId: activeLogin });
  check('getUser(login)', byLogin.id === active.id, byLogin.id);

  // Lifecycle: activate, suspend, unsuspend, deactivate, delete.
  const statusOf = async id => (await users.getUser({ userId: id })).status;
  const token = await users.activateUser({ userId: staged.id, sendEmail: false });
  check('activateUser(sendEmail: false) returns an activation token', typeof token.activationToken === 'string' && token.activationToken.length > 0);
  check('activateUser -> PROVISIONED (no password)', await statusOf(staged.id) === 'PROVISIONED');
  await users.suspendUser({ userId: active.id });
  check('suspendUser -> SUSPENDED', await statusOf(active.id) === 'SUSPENDED');
  await users.unsuspendUser({ userId: active.id });
  check('unsuspendUser -> ACTIVE', await statusOf(active.id) === 'ACTIVE');
  await users.deactivateUser({ userId: active.id });
  check('deactivateUser -> DEPROVISIONED', await statusOf(active.id) === 'DEPROVISIONED');
  await users.deleteUser({ userId: active.id });
  const gone = await failure(users.getUser({ userId: active.id }));
  check('deleteUser of a DEPROVISIONED user removes it (then E0000007)', isOktaError(gone, 404, 'E0000007'), String(gone));

  // Paging with limit/after through the SDK's collections.
  const all = await collect(await users.listUsers({ limit: 200 }));
  const paged = await collect(await users.listUsers({ limit: 7 }));
  check(`listUsers({limit: 7}).each() walks >= 3 pages (${paged.pages} pages)`, paged.pages >= 3, paged.pages);
  check(`each() over pages == one-page listing (${paged.items.length} users)`,
    JSON.stringify(paged.items.map(u => u.id)) === JSON.stringify(all.items.map(u => u.id)),
    `${paged.items.length} vs ${all.items.length}`);
  check('paged items are SDK User models', paged.items.every(u => u instanceof okta.User));
  const iterated = [];
  for await (const u of await users.listUsers({ limit: 9 })) iterated.push(u.id);
  check('for await over listUsers({limit: 9}) matches', JSON.stringify(iterated) === JSON.stringify(all.items.map(u => u.id)));

  // Filter and search.
  const filtered = await collect(await users.listUsers({ filter: `profile.login eq "${stagedLogin}"` }));
  check('listUsers(filter: profile.login eq ...)', filtered.items.length === 1 && filtered.items[0].id === staged.id);
  const prov = await collect(await users.listUsers({ filter: 'status eq "PROVISIONED"', limit: 3 }));
  check('listUsers(filter: status eq "PROVISIONED"), paged',
    prov.items.some(u => u.id === staged.id) && prov.items.every(u => u.status === 'PROVISIONED'));
  const third = await users.createUser({ body: newUser(`${RUN}.gone@example.com`), activate: false });
  await users.deactivateUser({ userId: third.id });
  const found = await collect(await users.listUsers({ search: `profile.login sw "${RUN}."` }));
  check('listUsers(search: profile.login sw ...) includes DEPROVISIONED',
    JSON.stringify(found.items.map(u => u.id).sort()) === JSON.stringify([staged.id, third.id].sort()),
    found.items.map(u => [u.id, u.status]));
  const sorted = await collect(await users.listUsers({ search: 'status eq "ACTIVE"', sortBy: 'profile.lastName', limit: 4 }));
  const names = sorted.items.map(u => u.profile.lastName.toLowerCase());
  check(`paged search sortBy=profile.lastName (${sorted.items.length} users, ${sorted.pages} pages, sorted)`,
    sorted.pages >= 3 && JSON.stringify(names) === JSON.stringify([...names].sort()) && sorted.items.every(u => u.status === 'ACTIVE'));
  const q = (await collect(await users.listUsers({ q: 'Sdk', limit: 200 }))).items.map(u => u.id);
  check('listUsers(q: ...) finds by name, omits DEPROVISIONED', q.includes(staged.id) && !q.includes(third.id));

  // Okta errors through the SDK's error type.
  const dup = await failure(users.createUser({ body: newUser(stagedLogin.toUpperCase()), activate: false }));
  check('duplicate login -> OktaApiError E0000001 (400)', isOktaError(dup, 400, 'E0000001'), String(dup));
  check('error causes carry the field summary',
    dup && Array.isArray(dup.errorCauses) && dup.errorCauses.some(c => /already exists/.test(c.errorSummary)));
  const missing = await failure(users.getUser({ userId: '00unosuchuser0000000' }));
  check('unknown user -> OktaApiError E0000007 (404)', isOktaError(missing, 404, 'E0000007'), String(missing));
  const badSuspend = await failure(users.suspendUser({ userId: staged.id }));
  check('suspend of a non-ACTIVE user -> OktaApiError E0000001', isOktaError(badSuspend, 400, 'E0000001'), String(badSuspend));
  const badFilter = await failure(collect(await users.listUsers({ filter: 'status eq' })));
  check('malformed filter -> OktaApiError 400', isOktaError(badFilter, 400), String(badFilter));

  const bad = new okta.Client({ orgUrl: ORG, token: 'not-the-token' });
  const unauthorized = await failure(bad.userApi.getUser({ userId: staged.id }));
  check('wrong API token -> OktaApiError E0000011 (401)', isOktaError(unauthorized, 401, 'E0000011'), String(unauthorized));
}

console.log(`node-sdk: @okta/okta-sdk-nodejs ${sdkVersion} against ${ORG}`);
try {
  await main();
} catch (e) {
  console.error(e);
  check('checks ran to completion', false);
}
const failed = results.filter(r => !r).length;
console.log(`node-sdk: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
