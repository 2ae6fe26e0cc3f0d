import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['node_modules/**', 'output/**', 'scratch/**', 'scratch-*'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['bin/**/*.js'], languageOptions: { globals: { process: 'readonly' } } },
  {
    // kysely's values come from pipeline/kysely.ts (its CommonJS build, which loads 5× faster under tsx).
    ignores: ['pipeline/kysely.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [{ name: 'kysely', message: "Import kysely's values from pipeline/kysely.ts; only `import type` from 'kysely'.", allowTypeImports: true }],
      }],
    },
  },
)
