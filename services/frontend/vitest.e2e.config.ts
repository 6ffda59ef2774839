import { defineConfig } from 'vitest/config';

// Browser journeys against a running platform: one file at a time, generous timeouts (a payment travels
// through Service Bus and back before the order is PAID).
export default defineConfig({
  test: {
    environment: 'node',
    include: ['e2e/**/*.e2e.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
