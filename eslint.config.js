// Flat ESLint config: type-aware typescript-eslint, Prettier owns formatting, and import directions
// between the runtimes and engine layers are enforced here rather than by discipline.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const layers = [
  'core',
  'market',
  'venues',
  'simulators',
  'strategy',
  'oms',
  'risk',
  'portfolio',
  'events',
  'store',
  'monitor',
  'node',
  'backtest',
  'api',
  'host',
];

/** A lower engine layer must never import a higher one. */
function layerRules(index) {
  const higher = layers.slice(index + 1);
  return {
    files: [`engine/${layers[index]}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', 'react', 'react-dom'].map((name) => ({
            name,
            message: 'The engine never imports UI or Electron code.',
          })),
          patterns: [
            ...higher.map((h) => ({
              group: [`../${h}/*`, `../../${h}/*`, `../../../${h}/*`],
              message: `engine/${layers[index]} is below engine/${h} and must not import it.`,
            })),
            {
              group: ['**/renderer/**', '**/electron/**'],
              message: 'The engine never imports the shell or the renderer.',
            },
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'coverage/', 'test-results/', 'playwright-report/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.node.json', './tsconfig.web.json'],
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // Hot loops index typed arrays and heaps whose bounds are checked just above.
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  // Guard scripts run on whatever old Node the user has, so they are plain CommonJS.
  {
    files: ['scripts/**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'commonjs',
      globals: { ...globals.node },
    },
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/no-require-imports': 'off' },
  },
  ...layers.map((_, i) => layerRules(i)),
  {
    files: ['renderer/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // The React Compiler is not used; this rule only reports what the compiler would skip.
      'react-hooks/incompatible-library': 'off',
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'The renderer reaches the engine only through the API client.' },
          ],
          patterns: [
            {
              group: ['**/engine/*', '!**/engine/api', '**/engine/!(api)/**'],
              message: 'The renderer imports only the contract from engine/api.',
            },
            { group: ['node:*'], message: 'The renderer runs in a browser: no Node modules.' },
          ],
        },
      ],
    },
  },
  {
    files: ['tests/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
