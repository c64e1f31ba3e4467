// @ts-check
import tseslint from 'typescript-eslint';

const forbiddenInCore = ['@slack/*', 'botbuilder', 'botbuilder-*', 'botframework-*', 'discord.js', '@discordjs/*', 'mongoose', 'mongodb', 'bullmq', 'ioredis', 'fuse.js'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.data/**', 'coverage/**', 'scripts/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-syntax': ['error', { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Only app/config reads process.env.' }],
    },
  },
  {
    // The dependency rule of DESIGN.md: domain and use cases speak only through core/ports.
    files: ['core/domain/**/*.ts', 'core/use-cases/**/*.ts', 'core/ports/**/*.ts', 'core/views/**/*.ts', 'core/helpdesk.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: forbiddenInCore, message: 'core/domain and core/use-cases import no SDK, mongoose, bullmq, ioredis or fuse.js: add a port in core/ports.' },
            { group: ['**/store/*', '**/adapters/*', '**/jobs/*', '**/kb/*', '**/app/*'], message: 'core depends on nothing outside core (arrows point inward).' },
          ],
        },
      ],
    },
  },
  {
    files: ['app/config/**/*.ts', 'app/main.ts', 'app/cli/**/*.ts', 'app/services/**/*.ts', 'tests/**/*.ts', 'bench/**/*.ts', 'vitest.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['tests/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
