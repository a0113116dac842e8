// Entry of the console page: reads the tenant, polls the admin API into the panels (re-rendering a
// panel only when its data changed), and starts the playground.
import { h, api, renderUsers, renderSms, renderEmail, renderFiles, renderSessions, renderCollections } from './panels.js';
import { Playground } from './playground.js';
import { TrafficPanel } from './traffic.js';

const $ = (sel) => document.querySelector(sel);
const REFRESH_MS = 2000;

const state = { config: null, collection: null };
const last = new Map();

/** Replaces a panel's body when `data` differs from what it shows. */
function show(id, data, render, count) {
  const text = JSON.stringify(data);
  if (last.get(id) === text) return;
  last.set(id, text);
  const section = document.getElementById(id);
  section.querySelector('.body').replaceChildren(...render(section, data));
  const c = section.querySelector('.count');
  if (c) c.textContent = count === undefined ? '' : `(${count})`;
  section.dataset.loaded = 'true';
}

function showError(id, e) {
  const key = 'error:' + e.message;
  if (last.get(id) === key) return;
  last.set(id, key);
  document.getElementById(id).querySelector('.body').replaceChildren(h('p', { class: 'notice' }, `cannot load: ${e.message}`));
}

async function panel(id, path, render, count) {
  try {
    const data = await api('GET', path);
    show(id, data, render, count && count(data));
  } catch (e) {
    showError(id, e);
  }
}

let playground;
let traffic;
let refreshing = null;

export function refresh() {
  if (refreshing) return refreshing;
  refreshing = (async () => {
    await Promise.all([
      panel('users', '/__admin/users', renderUsers, (d) => d.length),
      panel('sms', '/__admin/sms', (root, d) => renderSms(root, d, (m) => playground && playground.usePassCode(m)), (d) => d.length),
      panel('email', '/__admin/email', renderEmail, (d) => d.length),
      panel('files', '/__admin/files', renderFiles, (d) => (d.uploads || []).length + (d.serverless || []).length),
      panel('sessions', '/__admin/sessions', renderSessions),
      traffic && traffic.refresh(),
      (async () => {
        try {
          const list = await api('GET', '/__admin/collections');
          if (state.collection && !list.some((c) => c.name === state.collection)) state.collection = null;
          const docs = state.collection ? await api('GET', `/__admin/collections/${encodeURIComponent(state.collection)}/documents?limit=50`) : null;
          show('collections', { list, selected: state.collection, docs },
            (root, d) => renderCollections(root, d.list, d.selected, d.docs, (name) => { state.collection = name === state.collection ? null : name; refresh(); }),
            list.length);
        } catch (e) {
          showError('collections', e);
        }
      })(),
    ]);
  })().finally(() => { refreshing = null; });
  return refreshing;
}

function tenantLine(c) {
  const t = $('#tenant');
  t.replaceChildren(
    h('b', null, c.baseUrl), ' · Authing ', h('b', null, c.authing.appId), ' / ', h('b', null, c.authing.userPoolId),
    ' · MPServerless ', h('b', null, c.mpserverless.spaceId), ' · admin API ', h('a', { href: '/__admin/config' }, '/__admin/'));
}

async function main() {
  try {
    state.config = await api('GET', '/__admin/config');
    tenantLine(state.config);
  } catch (e) {
    $('#tenant').textContent = 'cannot read /__admin/config: ' + e.message;
  }
  playground = new Playground(state.config, { onCallDone: () => refresh() });
  playground.mount();
  traffic = new TrafficPanel(document.getElementById('traffic'));
  $('#refresh').addEventListener('click', () => refresh());
  $('#reset').addEventListener('click', async () => {
    if (!window.confirm('Wipe every user, code, session, document and file of the emulator?')) return;
    await api('POST', '/__admin/reset');
    playground.forget();
    refresh();
  });
  await refresh();
  setInterval(() => {
    if ($('#auto-refresh').checked && document.visibilityState === 'visible') refresh();
  }, REFRESH_MS);
  document.body.dataset.ready = 'true';
}

main();
