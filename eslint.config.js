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
  { files: ['bin/**/*.js', 'pipeline/**/*.mjs', 'stages/**/*.mjs'], languageOptions: { globals: { process: 'readonly', URL: 'readonly' } } },
  {
    // kysely's and zod's values come from pipeline/kysely.ts and schemas/zod.ts (their CommonJS builds, which
    // load several times faster under tsx's loader hooks).
    ignores: ['pipeline/kysely.ts', 'schemas/zod.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [
          { name: 'kysely', message: "Import kysely's values from pipeline/kysely.ts; only `import type` from 'kysely'.", allowTypeImports: true },
          { name: 'zod', message: "Import zod's values from schemas/zod.ts; only `import type` from 'zod'.", allowTypeImports: true },
        ],
      }],
    },
  },
)
