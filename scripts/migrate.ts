/** `npm run migrate`: applies pending migrations to DATABASE_URL and exits. */
import { ConfigError, loadConfigFromProcess, redactUrl } from '../config';
import { migrateUp, openDatabase } from '../server/db';

async function run(): Promise<void> {
  const config = loadConfigFromProcess();
  const sequelize = await openDatabase(config.database);
  try {
    const applied = await migrateUp(sequelize);
    const target = redactUrl(config.database.url);
    process.stdout.write(
      applied.length ? `Applied ${applied.length} migration(s) to ${target}:\n${applied.map((n) => `  ${n}`).join('\n')}\n` : `${target} is up to date.\n`,
    );
  } finally {
    await sequelize.close();
  }
}

run().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack}\n`);
  process.exit(1);
});
