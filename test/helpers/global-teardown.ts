/** jest globalTeardown: drops the MySQL template schema and the templates' folder. */
import { dropTemplates } from './template-database';

export default async function globalTeardown(): Promise<void> {
  await dropTemplates(process.env.TEST_DATABASE_URL);
}
