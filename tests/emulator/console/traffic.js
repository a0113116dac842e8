// The traffic panel: every request the emulator received from a client (GET /__admin/traffic,
// newest first), filterable by service; a click on a row shows the decoded request and answer.
// Bodies and headers go through the console's one redaction (showBody / redactHeaders in
// panels.js): passwords, tokens, codes and secrets are never shown whole.
import { h, api, showBody, redactHeaders, fmtTime } from './panels.js';

const SERVICES = [['all', 'all'], ['authing', 'Authing'], ['mpserverless', 'MPServerless'], ['platform', 'platform stand-ins']];

/** An MPServerless gateway body with its `params` JSON string decoded, for reading. */
function decoded(body) {
  if (typeof body !== 'string') return body;
  try {
    const v = JSON.parse(body);
    if (v && typeof v === 'object' && typeof v.params === 'string') {
      try { v.params = JSON.parse(v.params); } catch { /* keep the string */ }
    }
    return v;
  } catch {
    return body;
  }
}

/**
 * The client: its User-Agent, else what the SDKs name themselves with (mini-program hosts often
 * send no User-Agent of their own).
 */
function client(e) {
  const hd = e.requestHeaders || {};
  const sdk = hd['x-serverless-ua'] || [hd['x-authing-request-from'], hd['x-authing-sdk-version']].filter(Boolean).join(' ');
  return e.userAgent || sdk || '';
}
const shortUa = (ua) => ua.replace(/\s+/g, ' ').slice(0, 60);

export class TrafficPanel {
  constructor(section) {
    this.section = section;
    this.body = section.querySelector('.body');
    this.filter = 'all';
    this.open = new Set();
    this.entries = [];
    this.shown = '';
    const bar = h('div', { class: 'traffic-filter', role: 'group', 'aria-label': 'service' },
      SERVICES.map(([key, label]) => h('button', { type: 'button', dataset: { service: key }, onclick: () => this.setFilter(key) }, label)),
      h('span', { class: 'spacer' }),
      h('button', { type: 'button', id: 'traffic-clear', title: 'DELETE /__admin/traffic', onclick: () => this.clear() }, 'Clear'));
    section.querySelector('h2').after(bar);
    this.bar = bar;
    this.markFilter();
  }

  markFilter() {
    for (const b of this.bar.querySelectorAll('button[data-service]')) b.classList.toggle('selected', b.dataset.service === this.filter);
  }

  setFilter(key) {
    this.filter = key;
    this.markFilter();
    this.render(true);
  }

  async clear() {
    await api('DELETE', '/__admin/traffic');
    this.open.clear();
    await this.refresh();
  }

  async refresh() {
    try {
      const data = await api('GET', '/__admin/traffic');
      this.entries = data.entries || [];
      this.render(false);
    } catch (e) {
      this.body.replaceChildren(h('p', { class: 'notice' }, `cannot load: ${e.message}`));
      this.shown = '';
    }
  }

  toggle(id) {
    if (this.open.has(id)) this.open.delete(id);
    else this.open.add(id);
    this.render(true);
  }

  render(force) {
    const list = this.filter === 'all' ? this.entries : this.entries.filter((e) => e.service === this.filter);
    const key = JSON.stringify([this.filter, [...this.open], list.map((e) => e.id)]);
    if (!force && key === this.shown) return;
    this.shown = key;
    const count = this.section.querySelector('.count');
    if (count) count.textContent = `(${list.length})`;
    this.section.dataset.loaded = 'true';
    if (!list.length) {
      this.body.replaceChildren(h('p', { class: 'empty' }, this.entries.length
        ? 'No request of this service yet.'
        : 'No client request yet: run a method in the playground or point your mini-program at this emulator.'));
      return;
    }
    const rows = [];
    for (const e of list) {
      const failed = e.status >= 400;
      const open = this.open.has(e.id);
      rows.push(h('tr', {
        class: 'entry' + (failed ? ' failed' : '') + (open ? ' open' : ''),
        dataset: { id: e.id, service: e.service, path: e.path, gateway: e.gatewayMethod || '' },
        onclick: () => this.toggle(e.id), title: 'show the request and the answer',
      },
      h('td', { class: 'mono', title: e.at }, fmtTime(e.at)),
      h('td', null, h('span', { class: 'tag svc-' + e.service }, e.service)),
      h('td', { class: 'mono' }, e.method),
      h('td', { class: 'mono what' }, e.gatewayMethod ? h('b', null, e.gatewayMethod) : null, e.gatewayMethod ? ' ' : null,
        h('span', { class: e.gatewayMethod ? 'hint' : null }, e.path + (e.query ? '?' + e.query : ''))),
      h('td', null, h('span', { class: 'st' + (failed ? ' err' : '') }, String(e.status))),
      h('td', { class: 'mono hint' }, `${e.durationMs} ms`),
      h('td', { class: 'hint ua', title: client(e) }, shortUa(client(e)))));
      if (open) {
        const headers = Object.entries(redactHeaders(e.requestHeaders || {})).map(([k, v]) => `${k}: ${v}`).join('\n');
        rows.push(h('tr', { class: 'detail', dataset: { id: e.id } }, h('td', { colspan: 7 },
          h('div', { class: 'io' },
            h('div', null,
              h('h4', null, 'request', e.requestContentType ? ` · ${e.requestContentType}` : ''),
              h('pre', { class: 'headers' }, headers),
              h('pre', { class: 'req-body' }, showBody(decoded(e.requestBody)))),
            h('div', null,
              h('h4', null, `answer ${e.status}`, e.responseContentType ? ` · ${e.responseContentType}` : ''),
              h('pre', { class: 'res-body' }, showBody(e.responseBody)))))));
      }
    }
    this.body.replaceChildren(h('table', { class: 'traffic' },
      h('thead', null, h('tr', null, ['time', 'service', '', 'path or gateway method', 'status', 'time', 'client (user agent)'].map((t) => h('th', null, t)))),
      h('tbody', null, rows)));
  }
}
