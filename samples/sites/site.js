// A tiny site that signs members in through the gateway (no framework): its own
// session cookie, a page that shows who is signed in, and the back-channel
// logout. shop/server.js and docs/server.js are two such sites.
'use strict';

const http = require('node:http');
const crypto = require('node:crypto');
const sso = require('./sso');

const MAX_BODY = 16 * 1024;

function escapeHtml(value) {
  return String(value == null ? '' : value).replace(/[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

function cookies(request) {
  const jar = {};
  for (const pair of (request.headers.cookie || '').split(';')) {
    const index = pair.indexOf('=');
    if (index > 0) {
      // RFC 6265 allows a cookie value in double quotes (Java's cookie handling sends them so)
      jar[pair.slice(0, index).trim()] = pair.slice(index + 1).trim().replace(/^"(.*)"$/, '$1');
    }
  }
  return jar;
}

function cookie(name, value, maxAge, secure) {
  return name + '=' + value + '; Path=/; HttpOnly; SameSite=Lax; Max-Age=' + maxAge + (secure ? '; Secure' : '');
}

function readBody(request) {
  return new Promise((resolve, reject) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
      if (body.length > MAX_BODY) {
        reject(new Error('body too large'));
        request.destroy();
      }
    });
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });
}

/** Starts the site; `title` and `content(member)` are what makes it the shop or the docs. */
function start({ title, content }) {
  const cfg = sso.config(process.env);
  // named after the site, so two sample sites on one host (localhost) keep their own
  const SESSION_COOKIE = 'site_' + cfg.site.replace(/[^a-z0-9]/g, '_') + '_session';
  const STATE_COOKIE = 'site_' + cfg.site.replace(/[^a-z0-9]/g, '_') + '_state';
  const secure = cfg.self.startsWith('https:');
  const sessions = new Map(); // our session id -> { member, ssoSession }
  const seenJtis = new Map();

  function send(response, status, body, headers = {}) {
    response.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
    response.end(body);
  }

  function redirect(response, location, setCookies = []) {
    response.writeHead(302, { Location: location, 'Set-Cookie': setCookies, 'Cache-Control': 'no-store' });
    response.end();
  }

  async function handle(request, response) {
    const url = new URL(request.url, cfg.self);
    const jar = cookies(request);
    const mine = jar[SESSION_COOKIE] && sessions.get(jar[SESSION_COOKIE]);

    if (request.method === 'GET' && url.pathname === '/') {
      const who = mine
        ? '<p id="who">Signed in as <b>' + escapeHtml(mine.member.username) + '</b> (user '
          + escapeHtml(mine.member.userId) + ')</p><p><a href="/logout">Sign out</a></p>' + content(mine.member)
        : '<p id="who">Not signed in.</p><p><a href="/login">Sign in with the community</a></p>';
      return send(response, 200, '<!DOCTYPE html><title>' + escapeHtml(title) + '</title><h1>'
        + escapeHtml(title) + '</h1>' + who);
    }
    if (request.method === 'GET' && url.pathname === '/login') {
      const state = crypto.randomBytes(24).toString('base64url');
      return redirect(response, sso.authorizeUrl(cfg, state, url.searchParams.get('prompt')),
        [cookie(STATE_COOKIE, state, 600, secure)]);
    }
    if (request.method === 'GET' && url.pathname === '/sso/callback') {
      const state = url.searchParams.get('state');
      const clear = cookie(STATE_COOKIE, '', 0, secure);
      // our own state first: a forged callback must not sign this browser in as someone else
      if (!state || !jar[STATE_COOKIE] || state.length !== jar[STATE_COOKIE].length
          || !crypto.timingSafeEqual(Buffer.from(state), Buffer.from(jar[STATE_COOKIE]))) {
        return send(response, 400, '<p>This sign-in was not started here.</p>', { 'Set-Cookie': clear });
      }
      if (url.searchParams.get('error')) {
        return send(response, 200, '<p id="who">Not signed in (' + escapeHtml(url.searchParams.get('error'))
          + ').</p><p><a href="/login">Sign in</a></p>', { 'Set-Cookie': clear });
      }
      const member = await sso.exchange(cfg, url.searchParams.get('ott') || '');
      if (!member) {
        return send(response, 400, '<p>The sign-in could not be completed. <a href="/login">Try again</a></p>',
          { 'Set-Cookie': clear });
      }
      const id = crypto.randomBytes(32).toString('base64url');
      sessions.set(id, { member, ssoSession: member.ssoSession });
      return redirect(response, '/', [clear, cookie(SESSION_COOKIE, id, 86400, secure)]);
    }
    if (request.method === 'GET' && url.pathname === '/logout') {
      if (mine) {
        sessions.delete(jar[SESSION_COOKIE]);
      }
      return redirect(response, sso.logoutUrl(cfg, cfg.self + '/'), [cookie(SESSION_COOKIE, '', 0, secure)]);
    }
    if (request.method === 'POST' && url.pathname === '/sso/logout') {
      // the gateway's back channel: end every session of ours under the token's sid
      try {
        const form = new URLSearchParams(await readBody(request));
        const claims = sso.verifyLogoutToken(cfg, form.get('logout_token'), seenJtis, Math.floor(Date.now() / 1000));
        let ended = 0;
        for (const [id, session] of sessions) {
          if (session.ssoSession === claims.sid) {
            sessions.delete(id);
            ended++;
          }
        }
        console.log('back-channel logout: ' + ended + ' session(s) ended');
        response.writeHead(200, { 'Cache-Control': 'no-store' });
        return response.end();
      } catch (e) {
        console.log('back-channel logout refused: ' + e.message);
        response.writeHead(400, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
        return response.end(JSON.stringify({ error: 'invalid_request' }));
      }
    }
    return send(response, 404, '<p>Not found.</p>');
  }

  const server = http.createServer((request, response) => {
    handle(request, response).catch((e) => {
      console.log('failed: ' + e.message);
      if (!response.headersSent) {
        send(response, 502, '<p>The community sign-in is not available right now.</p>');
      } else {
        response.end();
      }
    });
  });
  const port = Number(process.env.PORT || 3000);
  server.listen(port, '127.0.0.1', () => console.log(title + ' listening on ' + port + ' as site ' + cfg.site));
  return server;
}

module.exports = { start, escapeHtml };
