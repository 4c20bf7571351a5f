// The site's side of the gateway's single sign-on (docs/sites.md), with Node's
// own modules only: the authorize URL, the one-time token exchange, and the
// check of a back-channel logout token (HS256 under the site's secret).
'use strict';

const crypto = require('node:crypto');

const BACKCHANNEL_LOGOUT = 'http://schemas.openid.net/event/backchannel-logout';
const CLOCK_SKEW_SECONDS = 60;

function config(env) {
  const required = ['SITE_ID', 'SITE_SECRET', 'GATEWAY_URL', 'SITE_URL'];
  const missing = required.filter((name) => !env[name]);
  if (missing.length) {
    throw new Error('missing environment: ' + missing.join(', '));
  }
  if (Buffer.byteLength(env.SITE_SECRET) < 32) {
    throw new Error('SITE_SECRET must be at least 32 bytes');
  }
  return {
    site: env.SITE_ID,
    secret: env.SITE_SECRET,
    gateway: env.GATEWAY_URL.replace(/\/$/, ''),
    // the gateway's public URL: the iss of its logout tokens
    issuer: (env.GATEWAY_ISSUER || env.GATEWAY_URL).replace(/\/$/, ''),
    self: env.SITE_URL.replace(/\/$/, ''),
  };
}

/** Where to send the browser to sign in; `state` comes back and ties the callback to this browser. */
function authorizeUrl(cfg, state, prompt) {
  const returnUrl = cfg.self + '/sso/callback?state=' + encodeURIComponent(state);
  let url = cfg.gateway + '/sso/authorize?site=' + encodeURIComponent(cfg.site)
    + '&return_url=' + encodeURIComponent(returnUrl);
  if (prompt) {
    url += '&prompt=' + encodeURIComponent(prompt);
  }
  return url;
}

function basic(cfg) {
  return 'Basic ' + Buffer.from(cfg.site + ':' + cfg.secret).toString('base64');
}

/** Exchanges the one-time token, server to server: the member, or null when refused. */
async function exchange(cfg, ott) {
  const response = await fetch(cfg.gateway + '/sso/token', {
    method: 'POST',
    headers: { Authorization: basic(cfg), 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ott }).toString(),
    signal: AbortSignal.timeout(5000),
  });
  if (response.status !== 200) {
    return null;
  }
  return response.json();
}

/** Whether the member's gateway sign-on still lives (404 once it ended). */
async function stillSignedOn(cfg, ssoSession) {
  const response = await fetch(cfg.gateway + '/sso/session?ssoSession=' + encodeURIComponent(ssoSession), {
    headers: { Authorization: basic(cfg) },
    signal: AbortSignal.timeout(5000),
  });
  return response.status === 200;
}

function logoutUrl(cfg, returnUrl) {
  return cfg.gateway + '/sso/logout?site=' + encodeURIComponent(cfg.site)
    + '&return_url=' + encodeURIComponent(returnUrl);
}

function base64url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) {
    throw new Error('not base64url');
  }
  return Buffer.from(text, 'base64url');
}

/**
 * Checks a logout token as OIDC Back-Channel Logout 2.6 says, with HS256 under
 * the site's secret; returns its claims, or throws saying why not.
 * `seenJtis` (a Map of jti to expiry) refuses a token seen before.
 */
function verifyLogoutToken(cfg, token, seenJtis, nowSeconds) {
  const parts = String(token || '').split('.');
  if (parts.length !== 3) {
    throw new Error('not a compact JWS');
  }
  const header = JSON.parse(base64url(parts[0]).toString('utf8'));
  if (header.alg !== 'HS256') {
    throw new Error('alg must be HS256');
  }
  const expected = crypto.createHmac('sha256', cfg.secret).update(parts[0] + '.' + parts[1]).digest();
  const given = base64url(parts[2]);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
    throw new Error('bad signature');
  }
  const claims = JSON.parse(base64url(parts[1]).toString('utf8'));
  const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (claims.iss !== cfg.issuer) {
    throw new Error('unexpected iss');
  }
  if (!audience.includes(cfg.site)) {
    throw new Error('not for this site');
  }
  if (typeof claims.iat !== 'number' || claims.iat > nowSeconds + CLOCK_SKEW_SECONDS) {
    throw new Error('bad iat');
  }
  if (typeof claims.exp !== 'number' || claims.exp < nowSeconds - CLOCK_SKEW_SECONDS) {
    throw new Error('expired');
  }
  if (!claims.events || typeof claims.events[BACKCHANNEL_LOGOUT] !== 'object') {
    throw new Error('not a logout token');
  }
  if ('nonce' in claims) {
    throw new Error('a logout token carries no nonce');
  }
  if (typeof claims.sid !== 'string' || !claims.sid || typeof claims.jti !== 'string' || !claims.jti) {
    throw new Error('sid and jti are required');
  }
  for (const [jti, until] of seenJtis) {
    if (until < nowSeconds) {
      seenJtis.delete(jti);
    }
  }
  if (seenJtis.has(claims.jti)) {
    throw new Error('replayed');
  }
  seenJtis.set(claims.jti, claims.exp + CLOCK_SKEW_SECONDS);
  return claims;
}

module.exports = { config, authorizeUrl, exchange, stillSignedOn, logoutUrl, verifyLogoutToken };
