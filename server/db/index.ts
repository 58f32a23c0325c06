export { openDatabase, pingDatabase, dialectOf, type Dialect } from './connection';
export { migrateUp, migrateDownAll, pendingMigrations } from './migrate';
