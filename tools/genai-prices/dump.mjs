// Writes the genai-prices data of the three batch providers as JSON on stdout:
//   {"source": "@pydantic/genai-prices <version> (npm, MIT)", "providers": [...]}
// Usage: npm ci && node dump.mjs > genai-prices-data.json
import { findProvider } from '@pydantic/genai-prices';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('./node_modules/@pydantic/genai-prices/package.json', import.meta.url)));
const providers = ['openai', 'anthropic', 'google'].map((id) => {
  const provider = findProvider({ providerId: id });
  if (!provider) throw new Error(`genai-prices has no provider ${id}`);
  return provider;
});
process.stdout.write(JSON.stringify({ source: `@pydantic/genai-prices ${pkg.version} (npm, MIT)`, providers }, null, 1) + '\n');
