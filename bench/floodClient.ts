/**
 * The flooding side of `npm run bench:flood`, in its own process so its work does not delay the
 * measured partner's requests: one conversation sends `expectReplies` messages to /api/messages as
 * fast as it can over several connections, until SIGTERM, then prints one JSON line with what it got.
 *
 *   node dist/bench/floodClient.js <port> <connections>
 */
import autocannon from 'autocannon';

const port = Number(process.argv[2]);
const connections = Math.min(10000, Math.max(1, Number(process.argv[3] ?? 8)));
let n = 0;
const instance = autocannon(
  {
    url: `http://127.0.0.1:${port}/api/messages`,
    connections,
    duration: 600, // stopped by the parent long before
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => {
          n += 1;
          return {
            ...req,
            body: JSON.stringify({
              type: 'message',
              id: `flood-${n}`,
              channelId: 'emulator',
              deliveryMode: 'expectReplies',
              conversation: { id: 'flooding-conversation' },
              from: { id: 'flooding-partner' },
              recipient: { id: 'bot' },
              text: 'when is WPC?',
            }),
          };
        },
      },
    ],
  },
  (err, result) => {
    if (err) {
      console.error(err);
      process.exit(1);
    }
    const codes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, (stats as { count: number }).count]));
    console.log(JSON.stringify({ requests: result.requests.total, perSecond: Math.round(result.requests.average), errors: result.errors, statusCodes: codes }));
    process.exit(0);
  },
);
process.on('SIGTERM', () => instance.stop());
