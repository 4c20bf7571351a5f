'use strict';
// A tiny sample IdP for the gateway's jwt connector: a sign-on and a sign-off
// endpoint, RS256 tokens signed with node:crypto, no dependencies.
// It is a sample: it "authenticates" anyone who types a user id. Replace
// authenticate() with your real login before using any of this.

const http = require('node:http');
const crypto = require('node:crypto');
const fs = require('node:fs');

const PORT = Number(process.env.PORT || 3000);
const GATEWAY_URL = new URL(process.env.GATEWAY_URL || 'http://localhost:8080'); // the gateway's public URL
const COMMUNITY_ORIGINS = (process.env.COMMUNITY_ORIGINS || GATEWAY_URL.origin).split(',').map((o) => o.trim());
const ISSUER = process.env.ISSUER || `http://localhost:${PORT}`;
const AUDIENCE = process.env.AUDIENCE || 'community-sso-gateway';
// kid for the token header and the JWKS (ignored when the gateway is configured
// with jwt.public-key).
const KID = process.env.KID ?? 'sample-key-1';

// The signing key: from PRIVATE_KEY_FILE (PEM), else a new one per start.
const privateKey = process.env.PRIVATE_KEY_FILE
  ? crypto.createPrivateKey(fs.readFileSync(process.env.PRIVATE_KEY_FILE))
  : crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const publicKey = crypto.createPublicKey(privateKey);

const sessions = new Map(); // IdP session id -> user; in memory, for the sample only

function signJwt(claims) {
  const now = Math.floor(Date.now() / 1000);
  const header = KID ? { alg: 'RS256', typ: 'JWT', kid: KID } : { alg: 'RS256', typ: 'JWT' };
  const payload = { ...claims, iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 120, jti: crypto.randomUUID() };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const signature = crypto.sign('sha256', Buffer.from(input), privateKey); // RSASSA-PKCS1-v1_5 = RS256
  return `${input}.${signature.toString('base64url')}`;
}

function b64url(text) {
  return Buffer.from(text, 'utf8').toString('base64url');
}

// Only ever send members back to the gateway's return endpoints (no open redirect).
function gatewayReturnUrl(value) {
  try {
    const url = new URL(value);
    return url.origin === GATEWAY_URL.origin && url.pathname.startsWith('/auth/') && !url.search ? url : null;
  } catch {
    return null;
  }
}

// After sign-off the gateway sends the member's absolute target: check its origin.
function communityUrl(value) {
  try {
    const url = new URL(value);
    return COMMUNITY_ORIGINS.includes(url.origin) ? url : null;
  } catch {
    return null;
  }
}

// Replace with your real authentication. Returns the user data format fields.
function authenticate(form) {
  const id = (form.get('id') || '').trim();
  if (!id) return null;
  const user = { id };
  for (const field of ['username', 'email', 'customRoles', 'avatar']) {
    const value = (form.get(field) || '').trim();
    if (value) user[field] = value;
  }
  return user;
}

function redirectWithToken(res, returnUrl, user) {
  redirect(res, `${returnUrl.href}?token=${encodeURIComponent(signJwt(user))}`);
}

function redirect(res, location, headers = {}) {
  res.writeHead(302, { Location: location, 'Cache-Control': 'no-store', ...headers });
  res.end();
}

function send(res, status, type, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...headers });
  res.end(body);
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function signInForm(returnUrl) {
  return `<!DOCTYPE html><meta charset="utf-8"><title>Sample IdP</title>
<h1>Sample IdP sign-in</h1>
<form method="post" action="/sso">
<input type="hidden" name="return_url" value="${escapeHtml(returnUrl)}">
<p><label>id (required) <input name="id" required></label></p>
<p><label>username <input name="username"></label></p>
<p><label>email <input name="email" type="email"></label></p>
<p><label>customRoles <input name="customRoles" placeholder="1, 2, 3"></label></p>
<p><button>Sign in</button></p>
</form>`;
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
      if (body.length > 16384) reject(new Error('form too large'));
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

function sessionId(req) {
  const match = /(?:^|;\s*)idp_session=([A-Za-z0-9_-]+)/.exec(req.headers.cookie || '');
  return match ? match[1] : null;
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, `http://${req.headers.host || 'localhost'}`);
  try {
    if (req.method === 'GET' && url.pathname === '/sso') {
      const returnUrl = gatewayReturnUrl(url.searchParams.get('return_url'));
      if (!returnUrl) return send(res, 400, 'text/plain', 'return_url is not the gateway\n');
      const user = sessions.get(sessionId(req));
      if (user) return redirectWithToken(res, returnUrl, user); // already signed in here
      return send(res, 200, 'text/html; charset=utf-8', signInForm(returnUrl.href));
    }
    if (req.method === 'POST' && url.pathname === '/sso') {
      const form = await readForm(req);
      const returnUrl = gatewayReturnUrl(form.get('return_url'));
      if (!returnUrl) return send(res, 400, 'text/plain', 'return_url is not the gateway\n');
      const user = authenticate(form);
      if (!user) return send(res, 401, 'text/html; charset=utf-8', signInForm(returnUrl.href));
      const id = crypto.randomBytes(32).toString('base64url');
      sessions.set(id, user);
      res.setHeader('Set-Cookie', `idp_session=${id}; Path=/; HttpOnly; SameSite=Lax`);
      return redirectWithToken(res, returnUrl, user);
    }
    if (req.method === 'GET' && url.pathname === '/sso/logout') {
      sessions.delete(sessionId(req));
      const target = communityUrl(url.searchParams.get('return_url'));
      const clear = { 'Set-Cookie': 'idp_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax' };
      if (!target) return send(res, 200, 'text/plain', 'Signed off.\n', clear);
      return redirect(res, target.href, clear);
    }
    if (req.method === 'GET' && url.pathname === '/jwks.json') {
      const jwk = { ...publicKey.export({ format: 'jwk' }), ...(KID && { kid: KID }), alg: 'RS256', use: 'sig' };
      return send(res, 200, 'application/json', JSON.stringify({ keys: [jwk] }));
    }
    if (req.method === 'GET' && url.pathname === '/public-key.pem') {
      return send(res, 200, 'text/plain', publicKey.export({ type: 'spki', format: 'pem' }));
    }
    return send(res, 404, 'text/plain', 'not found\n');
  } catch (err) {
    return send(res, 400, 'text/plain', 'bad request\n');
  }
});

server.listen(PORT, () => {
  console.log(`sample IdP on http://localhost:${PORT} (issuer ${ISSUER}, audience ${AUDIENCE}, kid ${KID || 'none'})`);
});
