import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const rootImport = (pkg) => ({
  name: pkg,
  message: `Import by deep path (${pkg}/lib/<resource>): the package root loads every resource module (~10x slower synth and memory).`,
});

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'cdktf.out/', 'cdktf.out.*/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [rootImport('@cdktf/provider-aws'), rootImport('@cdktf/provider-datadog')] },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
