// The OpenID provider the single sign-on tests run against: the certified
// oidc-provider, configured by the test, with a login form of its own and a few
// switches (under /test-admin/) that make it behave as a real provider can: rotate
// its signing key, change a person's e-mail address, answer slowly, run a wrong
// clock, publish a key that does not match its signatures, or issue ID tokens for
// another client.
//
// The test passes its configuration as JSON in OIDC_TEST_CONFIG:
//   { "clients": [ { client_id, client_secret, redirect_uris, post_logout_redirect_uris } ],
//     "users": { "<login name>": { "password": "...", "sub": "...", "claims": { ... } } },
//     "claimsInIdToken": true|false }
// The provider listens on a free port of 127.0.0.1 and prints one line of JSON,
// {"issuer": "http://127.0.0.1:PORT"}, when it is ready.

import { generateKeyPairSync, randomUUID } from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(process.env.OIDC_TEST_CONFIG ?? '{}');
const users = new Map(Object.entries(config.users ?? {}));

// What the test has switched on.
const behaviour = {
  delayMs: 0,
  clockOffsetSeconds: 0,
  idTokenAudience: null,
  wrongJwks: false,
};

// A provider whose clock is wrong issues tokens that are already expired.
const realNow = Date.now;
Date.now = () => realNow() + behaviour.clockOffsetSeconds * 1000;

function newSigningKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };
}

function publicPart({ kty, n, e, kid, use, alg }) {
  return { kty, n, e, kid, use, alg };
}

function accountBySub(sub) {
  for (const user of users.values()) {
    if (user.sub === sub) return user;
  }
  return undefined;
}

const page = (title, body) => `<!doctype html>
<html lang="sv">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} – kommunens inloggning (test)</title></head>
<body><main><h1>${title}</h1>${body}</main></body>
</html>`;

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid, message = '') {
  return page('Kommunens inloggning', `
${message ? `<p role="alert">${escape(message)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
  <p><label for="username">Användarnamn</label><br><input id="username" name="username" autocomplete="username"></p>
  <p><label for="password">Lösenord</label><br><input id="password" name="password" type="password" autocomplete="current-password"></p>
  <p><button type="submit">Logga in</button></p>
</form>`);
}

let cookieKey = randomUUID();
let signingKey = newSigningKey();

function makeProvider(issuer) {
  const provider = new Provider(issuer, {
    clients: config.clients,
    jwks: { keys: [signingKey] },
    cookies: { keys: [cookieKey] },
    claims: {
      openid: ['sub', 'oid', 'tid'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    // Off: the scope's claims are in the ID token (as Entra ID puts them);
    // on: only in the userinfo answer, as the specification prefers.
    conformIdTokenClaims: !config.claimsInIdToken,
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource(ctx, form) {
          ctx.body = page('Logga ut från kommunens inloggning?', `${form}
<p><button type="submit" form="op.logoutForm" value="yes" name="logout">Ja, logga ut</button>
<button type="submit" form="op.logoutForm">Nej</button></p>`);
        },
        postLogoutSuccessSource(ctx) {
          ctx.body = page('Utloggad', '<p>Du är utloggad från kommunens inloggning.</p>');
        },
      },
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    async findAccount(ctx, sub) {
      const user = accountBySub(sub);
      if (!user) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...user.claims }) };
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Fel hos kommunens inloggning', `<pre>${escape(JSON.stringify(out))}</pre>`);
    },
  });
  // A provider misconfigured to issue ID tokens for another client.
  const issue = provider.IdToken.prototype.issue;
  provider.IdToken.prototype.issue = async function issueFor(options) {
    if (behaviour.idTokenAudience && options?.use === 'idtoken') {
      const { client } = this;
      this.client = new Proxy(client, {
        get: (target, name) => (name === 'clientId' ? behaviour.idTokenAudience : Reflect.get(target, name, target)),
      });
      try {
        return await issue.call(this, options);
      } finally {
        this.client = client;
      }
    }
    return issue.call(this, options);
  };
  return provider;
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res, status, type, body) {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

let issuer;
let provider;
let handle;

function startProvider() {
  provider = makeProvider(issuer);
  handle = provider.callback();
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, 'text/plain', 'wrong interaction');
  if (details.prompt.name === 'login' && req.method === 'GET') {
    return send(res, 200, 'text/html; charset=utf-8', loginPage(uid));
  }
  if (details.prompt.name === 'login' && req.method === 'POST' && action === 'login') {
    const form = new URLSearchParams(await readBody(req));
    const user = users.get(form.get('username') ?? '');
    if (!user || user.password !== form.get('password')) {
      return send(res, 401, 'text/html; charset=utf-8', loginPage(uid, 'Fel användarnamn eller lösenord.'));
    }
    return provider.interactionFinished(req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
  }
  if (details.prompt.name === 'consent') {
    // Remiss is the municipality's own application: no consent page.
    const { params, session, prompt: { details: missing } } = details;
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
  return send(res, 400, 'text/plain', `unexpected prompt ${details.prompt.name}`);
}

async function admin(req, res, path) {
  const body = req.method === 'POST' ? JSON.parse((await readBody(req)) || '{}') : {};
  switch (path) {
    case '/test-admin/rotate-key':
      // A new key under a new key id; the old one is gone from the key set.
      signingKey = newSigningKey();
      startProvider();
      return send(res, 200, 'application/json', JSON.stringify({ kid: signingKey.kid }));
    case '/test-admin/user': {
      const user = users.get(body.username);
      if (!user) return send(res, 404, 'text/plain', 'no such user');
      Object.assign(user.claims, body.claims);
      return send(res, 200, 'application/json', '{}');
    }
    case '/test-admin/behaviour':
      Object.assign(behaviour, body);
      return send(res, 200, 'application/json', JSON.stringify(behaviour));
    default:
      return send(res, 404, 'text/plain', 'no such switch');
  }
}

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    if (url.pathname.startsWith('/test-admin/')) return await admin(req, res, url.pathname);
    if (behaviour.delayMs > 0) await new Promise((resolve) => { setTimeout(resolve, behaviour.delayMs); });
    const match = url.pathname.match(/^\/interaction\/([^/]+)(?:\/(login))?$/);
    if (match) return await interaction(req, res, match[1], match[2]);
    if (behaviour.wrongJwks && url.pathname === '/jwks') {
      // The key id of the signing key, with another key's numbers.
      const other = publicPart({ ...newSigningKey(), kid: signingKey.kid });
      return send(res, 200, 'application/json', JSON.stringify({ keys: [other] }));
    }
    return handle(req, res);
  } catch (error) {
    console.error(error);
    if (!res.headersSent) send(res, 500, 'text/plain', String(error));
    return undefined;
  }
});

server.listen(0, '127.0.0.1', () => {
  issuer = `http://127.0.0.1:${server.address().port}`;
  startProvider();
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

process.on('SIGTERM', () => process.exit(0));
