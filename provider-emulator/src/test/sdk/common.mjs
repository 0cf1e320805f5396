// Shared helpers for the SDK conformance scripts. EMULATOR_URL is the emulator's base URL
// (e.g. http://127.0.0.1:8089). With a manual clock the scripts move time through the admin API;
// with the system clock they wait a little between polls.
export const base = process.env.EMULATOR_URL ?? 'http://127.0.0.1:8089';

export async function admin(path, body) {
  const res = await fetch(`${base}/_emulator${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

export async function tick() {
  const r = await admin('/clock/advance', { seconds: 30 });
  if (r.status !== 200) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function pollUntil(fetchOnce, isDone, maxPolls = 400) {
  let current = await fetchOnce();
  for (let i = 0; i < maxPolls && !isDone(current); i++) {
    await tick();
    current = await fetchOnce();
  }
  if (!isDone(current)) {
    throw new Error(`still not done after ${maxPolls} polls: ${JSON.stringify(current)}`);
  }
  return current;
}

export function report(name, details) {
  console.log(JSON.stringify({ sdk: name, ok: true, ...details }));
}

export function fail(name, error) {
  console.error(JSON.stringify({ sdk: name, ok: false, error: String(error?.stack ?? error) }));
  process.exit(1);
}
