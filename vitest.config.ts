import { configDefaults, defineConfig } from 'vitest/config';

// Integration tests talk to real servers started once per run by the global setup
// (PostgreSQL cluster + Dovecot); SMTP sinks are started in-process by each test file.
const integrationFiles = ['test/integration/**/*.test.ts', 'test/sandbox/**/*.test.ts'];

export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...integrationFiles],
          // Vitest 4 refuses projects with different maxWorkers in one group: unit runs first.
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: integrationFiles,
          globalSetup: ['test/helpers/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Separate processes: a test that kills or restarts a server cannot take the others down.
          pool: 'forks',
          // Files share one cluster and one Dovecot but never the same database or mailbox,
          // so they may run side by side; 2 matches the CI machine's cores.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
