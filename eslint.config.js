// @ts-check
import { builtinModules, createRequire } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const { devDependencies } = createRequire(import.meta.url)('./package.json');

/** Only src/ ships: it imports neither the development folders nor a development dependency. */
const shipped = [
  { regex: '(^|/)(scripts|bench|test)/', message: 'src/ ships alone: scripts/, bench/ and test/ do not.' },
  {
    group: Object.keys(devDependencies).flatMap((name) => [name, `${name}/*`]),
    message:
      'A development dependency is not installed with the bot: only scripts/, bench/ and test/ use them.',
  },
];

/** Layering: what each layer may not import. The rules are pure; the bot depends on the rules, never the reverse. */
const pureRules = {
  paths: nodeBuiltins.map((name) => ({ name, message: 'src/rules is pure: no I/O, no Node built-ins.' })),
  patterns: [
    {
      group: ['botbuilder*', 'restify*', 'better-sqlite3', 'pino*', 'i18next*', 'adaptivecards*'],
      message: 'src/rules is pure domain logic.',
    },
    { group: ['../*', '!./*'], message: 'src/rules imports nothing from other layers.' },
    ...shipped,
  ],
};

/** The adapters: only the composition root (src/index.ts) wires them; the bot and the core see ports. */
const adapters = {
  group: [
    '**/storage',
    '**/storage/*',
    '**/postgres',
    '**/postgres/*',
    '**/persistence',
    '**/persistence.js',
    '**/partner-center',
    '**/partner-center/*',
    '**/partner-center-composition',
    '**/partner-center-composition.js',
    'better-sqlite3',
    'pg',
    'pg-*',
  ],
  message: 'Depend on the ports in src/core; only src/index.ts knows which adapters run.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read the environment only in src/config.ts.' },
      ],
    },
  },
  {
    files: ['src/config.ts', 'test/**', 'bench/**', 'scripts/**', '*.config.*'],
    rules: { 'no-restricted-properties': 'off' },
  },
  { files: ['src/**'], rules: { 'no-restricted-imports': ['error', { patterns: shipped }] } },
  { files: ['src/rules/**'], rules: { 'no-restricted-imports': ['error', pureRules] } },
  {
    files: ['src/bot/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [adapters, ...shipped] }] },
  },
  {
    files: ['src/core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            adapters,
            {
              group: ['**/bot', '**/bot/*', '**/http/*', 'botbuilder*', 'restify*'],
              message: 'The application core knows nothing of the bot or the transport.',
            },
            ...shipped,
          ],
        },
      ],
    },
  },
  {
    files: ['src/directory/**', 'src/storage/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../bot/*', 'botbuilder*', 'restify*'],
              message: 'The directory and storage know nothing of the bot.',
            },
            ...shipped,
          ],
        },
      ],
    },
  },
);
