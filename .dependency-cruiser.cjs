// Dependency rules, checked by `npm run depcheck` (part of `npm test`, so CI runs them).

/**
 * Capabilities nothing else builds on: deleting one's folders (src/<name>/, blocks/<name>/ or blocks/<name>.ts) and its line in
 * src/app.ts leaves a product that type-checks. The others (sync, identity, teams, signals, approvals, reports,
 * ask, notifications, api) are the kernel and the doors; docs/architecture.md says why each is one.
 */
const REMOVABLE = ['agent', 'eventbus', 'incidents', 'okrs', 'onboarding'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...REMOVABLE.map((leaf) => ({
      name: `leaf-capabilities-removable:${leaf}`,
      severity: 'error',
      comment: `Only src/app.ts and ${leaf}'s own folders import ${leaf}: it is removed by deleting them and one line.`,
      from: { path: '^(src|blocks|dev/demo)/', pathNot: `^(src|blocks)/${leaf}([.]ts$|/)|^src/app[.]ts$` },
      to: { path: `^(src|blocks)/${leaf}([.]ts$|/)` },
    })),
    {
      name: 'product-not-to-dev-world',
      severity: 'error',
      comment: 'The product (src/, blocks/) never imports tests, scripts or the dev world (emulator, stand-ins, demo).',
      from: { path: '^(src|blocks)/' },
      to: { path: '^(test|scripts|dev)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles, type-only imports included.',
      from: { path: '^(src|blocks|dev)/' },
      to: { circular: true },
    },
    {
      name: 'blocks-pure',
      severity: 'error',
      comment:
        'blocks/ are pure functions from data to Block Kit: from src/ they take types, and values only from the pure model modules.',
      from: { path: '^blocks/' },
      to: {
        path: '^src/',
        pathNot: '^src/(incidents/model|incidents/postmortem|reports/dora-bands|notifications/model)[.]ts$',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'blocks-no-io',
      severity: 'error',
      comment: 'blocks/ never reach Slack, the database or the network.',
      from: { path: '^blocks/' },
      to: { path: 'node_modules/(@slack/bolt|@slack/web-api|pg|@electric-sql|agenda|ws)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'doors-name-no-capability',
      severity: 'error',
      comment:
        'The doors (the Slack app in src/slack, the tool contract in src/capabilities) iterate over the capabilities ' +
        'src/app.ts lists; they never import one, so a capability is added or removed in its folders and one line.',
      from: { path: '^src/(slack|capabilities)/' },
      to: { path: '^src/', pathNot: '^src/(slack|capabilities|store|observability|jobs|lib|config)([.]ts$|/)' },
    },
    {
      name: 'capabilities-through-their-front',
      severity: 'error',
      comment:
        "Only src/app.ts builds capabilities: nothing else imports a capability's capability.ts (which would wire " +
        'one capability into another).',
      from: { path: '^src/', pathNot: '^src/app[.]ts$' },
      to: { path: '^src/[^/]+/capability[.]ts$', pathNot: '^src/capabilities/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|dist)/' },
  },
};
