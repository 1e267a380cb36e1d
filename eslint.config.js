// @ts-check
const js = require('@eslint/js')
const tseslint = require('typescript-eslint')
const prettier = require('eslint-config-prettier')

module.exports = tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.kafka/', '.node24/', 'bench/node_modules/', 'coverage/', '.venv-sdk/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly'
      }
    },
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }]
    }
  },
  {
    // The console's ES modules run in the browser (no build step).
    files: ['console/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'fetch',
          'sessionStorage',
          'location',
          'Node',
          'CustomEvent',
          'AbortController',
          'TextDecoder',
          'setTimeout',
          'clearTimeout',
          'console'
        ].map((name) => [name, 'readonly'])
      )
    }
  }
)
