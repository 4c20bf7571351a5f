// The sample shop: signs members in through the gateway (docs/sites.md).
'use strict';

const { start, escapeHtml } = require('../site');

start({
  title: 'Example Shop',
  content: (member) => '<p>Your basket is empty, ' + escapeHtml(member.username) + '.</p>',
});
