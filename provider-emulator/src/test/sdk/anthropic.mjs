// @anthropic-ai/sdk: create → poll → results stream, list pages, delete, 404 as NotFoundError.
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { base, fail, pollUntil, report } from './common.mjs';

const NAME = 'anthropic';
try {
  const client = new Anthropic({ baseURL: `${base}/anthropic`, apiKey: 'sk-ant-emulator' });
  const shared = 'You are a careful sentiment classifier. '.repeat(120);
  const requests = ['great product', 'arrived broken', 'fine I guess'].map((text, i) => ({
    custom_id: `sdk-${i}`,
    params: {
      // Sonnet 4.5 caches from 1,024 tokens; Haiku 4.5 only from 4,096, more than this prefix holds
      model: 'claude-sonnet-4-5', max_tokens: 16,
      system: [{ type: 'text', text: shared, cache_control: { type: 'ephemeral', ttl: '1h' } }],
      messages: [{ role: 'user', content: `Classify: ${text}` }],
    },
  }));
  const created = await client.messages.batches.create({ requests });
  assert.equal(created.processing_status, 'in_progress');
  const done = await pollUntil(() => client.messages.batches.retrieve(created.id), (b) => b.processing_status === 'ended');
  assert.equal(done.request_counts.succeeded, 3);
  const results = [];
  for await (const r of await client.messages.batches.results(created.id)) results.push(r);
  assert.equal(results.length, 3);
  const usage = results.map((r) => r.result.message.usage);
  assert.equal(usage.filter((u) => u.cache_creation_input_tokens > 0).length, 1);
  assert.equal(usage.filter((u) => u.cache_read_input_tokens > 0).length, 2);

  const listed = [];
  for await (const b of client.messages.batches.list({ limit: 1 })) listed.push(b.id);
  assert.ok(listed.includes(created.id));
  const deleted = await client.messages.batches.delete(created.id);
  assert.equal(deleted.type, 'message_batch_deleted');
  let notFound = null;
  try {
    await client.messages.batches.retrieve(created.id);
  } catch (e) {
    notFound = e;
  }
  assert.ok(notFound instanceof Anthropic.NotFoundError, `expected NotFoundError, got ${notFound}`);
  report(NAME, { batch: created.id, results: results.length, usage: usage[1] });
} catch (e) {
  fail(NAME, e);
}
