// Lint for the whole tree (`npm run lint`, part of `npm test`). Besides the recommended rules it
// encodes the layering of server/README.md#modules-and-their-arrows as import restrictions, so a wrong arrow fails the build.
// Which module may import which (the layers, no cycle) is checked by test/unit/module-graph.test.ts
// over scripts/module-graph.ts, which reads the imports with TypeScript's parser.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';

/** `no-restricted-imports` refusing import paths that match `regex`, with why. */
const refuse = (...rules) => ({
  '@typescript-eslint/no-restricted-imports': [
    'error',
    { patterns: rules.map(([regex, message, allowTypeImports = false]) => ({ regex, message, allowTypeImports })) },
  ],
});

export default tseslint.config(
  { ignores: ['node_modules/', 'h5/dist/', 'data/', 'test/artifacts/', '.scratch/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['h5/**/*.vue', 'h5/**/*.ts'],
    languageOptions: {
      // __WECOM_DEV_SHIM__: defined by vite.config.mts (false in the live build).
      globals: { ...globals.browser, __WECOM_DEV_SHIM__: 'readonly' },
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] },
    },
    rules: {
      // Prettier formats templates; these stylistic rules would fight it.
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/multi-word-component-names': 'off',
      ...refuse(['(^|/)(server|scripts|config)(/|$)', 'The H5 talks to the server over HTTP (h5/src/api) and shares only shared/.']),
    },
  },
  // Plain scripts the browser runs as they are (h5/public is copied, not bundled).
  {
    files: ['h5/public/**/*.js'],
    languageOptions: { globals: { ...globals.browser }, sourceType: 'script' },
  },
  // Plain CommonJS that Jest loads itself (its transform and reporter), not through a transform.
  {
    files: ['test/helpers/*.js'],
    languageOptions: { globals: { ...globals.node }, sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // server/README.md#modules-and-their-arrows: dependencies point one way.
  {
    files: ['shared/**/*.ts'],
    rules: refuse([
      '^\\.\\./(server|h5|scripts|config)(/|$)|(^|/)(server|h5|scripts)/',
      'shared/ is used by the server and the H5 and imports nothing of ours.',
    ]),
  },
  {
    files: ['server/**/*.ts'],
    rules: refuse(['(^|/)scripts/', 'The server never imports scripts/: the simulator and the demo seed are injected (server/container.ts).']),
  },
  {
    files: ['server/wecom/**/*.ts'],
    rules: refuse(['(^|/)modules/', 'server/wecom speaks WeCom and knows no CRM module.'], ['(^|/)scripts/', 'The server never imports scripts/.']),
  },
  {
    files: ['server/http/**/*.ts'],
    rules: refuse(
      ['(^|/)modules/', 'HTTP middleware imports no module; modules hand it what it needs (server/container.ts).'],
      ['(^|/)scripts/', 'The server never imports scripts/.'],
    ),
  },
  {
    files: ['server/modules/**/*routes.ts'],
    rules: refuse(['(^|/)models$', 'Routes call services; only services touch models.', true], ['(^|/)scripts/', 'The server never imports scripts/.']),
  },
  {
    files: ['test/**/*.ts', 'scripts/**/*.ts', '**/*.test.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': 'off' },
  },
);
