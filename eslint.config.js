import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'bench/results/**', '.nx/**', 'deploy/helm/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      curly: ['error', 'multi-line'],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          // The benchmarks drive a service's own code (its definition, its repositories) on purpose.
          allow: ['@cartograph/catalog/**', '@cartograph/warehouse/**'],
          depConstraints: [
            // services import libs, never each other
            {
              sourceTag: 'type:service',
              onlyDependOnLibsWithTags: ['type:platform', 'type:contracts', 'type:domain'],
            },
            // The command line starts services by path at run time, never by import.
            {
              sourceTag: 'type:cli',
              onlyDependOnLibsWithTags: ['type:platform', 'type:contracts', 'type:domain'],
            },
            { sourceTag: 'type:deploy', onlyDependOnLibsWithTags: [] },
            {
              sourceTag: 'type:bench',
              onlyDependOnLibsWithTags: ['type:platform', 'type:contracts', 'type:domain', 'type:service'],
            },
            { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain'] },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:domain'] },
            // pure libraries: no I/O, nothing but other pure libraries
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  prettier,
);
