// The chat page, shared by index.html (global `neffos` from <script src="/neffos.js">) and
// module.html (ES module import): both call startChat(neffosApi, how).
// URL parameters: ?nick=alice&room=lobby&ns=chat
'use strict';

/** @param {typeof import('../../../client/index.js')} neffos */
function startChat(neffos, how) {
  const params = new URLSearchParams(location.search);
  const nick = (params.get('nick') || 'guest-' + Math.floor(Math.random() * 9000 + 1000)).slice(0, 24);
  const rooms = ['lobby', 'random', 'secret'];
  // `admin` is listed to show a refusal: the server refuses every connection to it.
  const namespaces = ['chat', 'support', 'admin'];
  let current = '';
  let conn = null;
  let ns = null;
  const received = []; // every chat message that reached this page, shown or not (tests read it)

  const app = document.getElementById('app');
  app.innerHTML = `
    <header>
      <h1>neffos-ts chat</h1><span class="via"></span>
      <span class="state" data-state="connecting">connecting</span>
      <span class="me"></span>
    </header>
    <main>
      <aside>
        <h2>Namespaces</h2><div class="namespaces"></div>
        <h2>Rooms</h2><div class="rooms"></div>
        <h2>In this room</h2><ul class="members"></ul>
      </aside>
      <section>
        <div class="error" role="alert"></div>
        <div class="messages" aria-live="polite"></div>
        <form><input name="text" autocomplete="off" placeholder="Say something…" maxlength="500"><button>Send</button></form>
      </section>
    </main>`;
  const $ = (sel) => app.querySelector(sel);
  $('.via').textContent = 'client loaded via ' + how;
  $('.me').textContent = 'you are ' + nick;

  const stateLabels = { connecting: 'connecting', open: 'connected', reconnecting: 'reconnecting…', closed: 'offline' };
  function setState(state) {
    const el = $('.state');
    el.dataset.state = state;
    el.textContent = stateLabels[state] || state;
  }
  function showError(text) {
    $('.error').textContent = text || '';
  }
  function addMessage(from, text, mine) {
    const div = document.createElement('div');
    div.className = 'msg' + (mine ? ' mine' : '');
    const who = document.createElement('div');
    who.className = 'who';
    who.textContent = from;
    const body = document.createElement('div');
    body.className = 'text';
    body.textContent = text;
    div.append(who, body);
    const list = $('.messages');
    list.append(div);
    list.scrollTop = list.scrollHeight;
    return div;
  }
  function addSystem(text) {
    const div = document.createElement('div');
    div.className = 'msg system';
    div.textContent = text;
    $('.messages').append(div);
  }
  function renderNamespaces() {
    $('.namespaces').replaceChildren(...namespaces.map((name) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = name;
      b.dataset.ns = name;
      b.setAttribute('aria-current', String(ns !== null && ns.namespace === name));
      b.onclick = () => switchNamespace(name);
      return b;
    }));
  }
  function renderRooms() {
    const box = $('.rooms');
    box.replaceChildren(...rooms.map((name) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = '# ' + name;
      b.dataset.room = name;
      b.setAttribute('aria-current', String(name === current));
      b.onclick = () => switchRoom(name);
      return b;
    }));
  }
  function renderMembers(list) {
    $('.members').replaceChildren(...list.map((n) => {
      const li = document.createElement('li');
      li.textContent = n;
      return li;
    }));
  }

  // Connects the new namespace first: when the server refuses it, the current one stays.
  async function switchNamespace(name) {
    if (!conn || (ns && ns.namespace === name)) return;
    showError('');
    let next;
    try {
      next = await conn.connect(name, { timeout: 5000 });
    } catch (err) {
      showError(err.message); // the server's refusal, e.g. "admins only: …"
      return;
    }
    const old = ns;
    const room = current || params.get('room') || 'lobby';
    ns = next;
    current = '';
    renderNamespaces();
    renderRooms();
    if (old) await old.disconnect({ timeout: 5000 }).catch((err) => showError(err.message));
    await switchRoom(room);
  }

  async function switchRoom(name) {
    if (!ns || name === current) return;
    showError('');
    try {
      await ns.joinRoom(name, { timeout: 5000 });
    } catch (err) {
      showError(err.message); // the server's text, e.g. "the secret room is for members only"
      return;
    }
    const old = current;
    current = name;
    renderRooms();
    $('.messages').replaceChildren();
    addSystem('you joined #' + name + ' in ' + ns.namespace);
    if (old && ns.room(old)) await ns.room(old).leave().catch((err) => showError(err.message));
    const res = await ns.ask('members', name, { timeout: 5000 });
    renderMembers(JSON.parse(res.body));
  }

  async function send(text) {
    const div = addMessage(nick, text, true);
    const status = document.createElement('span');
    status.className = 'status';
    status.dataset.status = 'sending';
    status.textContent = 'sending…';
    div.querySelector('.who').append(status);
    try {
      // An ask: the server's reply is the delivery confirmation.
      const res = await ns.ask('say', neffos.marshal({ room: current, text }), { timeout: 5000 });
      const { delivered } = JSON.parse(res.body);
      status.dataset.status = 'delivered';
      status.textContent = '✓ delivered to ' + delivered;
    } catch (err) {
      status.dataset.status = 'failed';
      status.textContent = '✗ ' + err.message;
    }
  }

  $('form').onsubmit = (e) => {
    e.preventDefault();
    const input = $('form input');
    const text = input.value.trim();
    if (!text || !ns) return;
    input.value = '';
    void send(text);
  };
  const isCurrent = (msg) => ns !== null && msg.namespace === ns.namespace && msg.room === current;
  const roomEvents = {
    message: (_ns, msg) => {
      const m = JSON.parse(msg.body);
      received.push({ namespace: msg.namespace, room: msg.room, text: m.text });
      if (isCurrent(msg)) addMessage(m.from, m.text, false);
    },
    members: (_ns, msg) => {
      if (isCurrent(msg)) renderMembers(JSON.parse(msg.body));
    },
  };
  const handlers = { chat: roomEvents, support: roomEvents, admin: {} };

  // The first dial has no automatic retry (reconnection starts once a connection existed):
  // while the server cannot be reached the page shows "offline" and tries again.
  renderNamespaces();
  renderRooms();
  function start(attempt) {
    return neffos
      .dial('/chat', handlers, { headers: { 'X-Nick': nick }, reconnect: { minDelay: 100, maxDelay: 2000 } })
      .then(async (c) => {
        conn = c;
        showError('');
        setState(c.state);
        c.on('state', (e) => setState(e.to));
        c.on('reconnected', () => addSystem('reconnected: namespace and room restored'));
        c.on('reconnecting', () => showError(''));
        c.on('error', (err) => showError(err.message)); // e.g. a room refused while restoring
        await switchNamespace(params.get('ns') || 'chat');
        return c;
      }, (err) => {
        setState('closed');
        const delay = Math.min(10000, 500 * 2 ** attempt);
        showError(err.message + ' — retrying in ' + Math.round(delay / 1000) + ' s');
        return new Promise((resolve) => setTimeout(resolve, delay)).then(() => start(attempt + 1));
      });
  }
  const ready = start(0);

  // For tests and the curious: the live objects.
  window.chat = { ready, received, get conn() { return conn; }, get ns() { return ns; }, get room() { return current }, nick, switchRoom, send };
}

window.startChat = startChat;
