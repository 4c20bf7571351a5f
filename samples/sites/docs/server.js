// The sample docs site: signs members in through the gateway (docs/sites.md).
'use strict';

const { start, escapeHtml } = require('../site');

start({
  title: 'Community Docs',
  content: (member) => '<p>Roles: <span id="roles">' + escapeHtml((member.customRoles || []).join(', ') || 'none')
    + '</span></p>',
});
