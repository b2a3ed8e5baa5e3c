// Plays "another fanout process migrating a huge store" for sqlite-migration-wait.test.ts:
//   migrating-child.ts <db> <holdMs>  takes the write lock, marks the migration, migrates, prints "migrating",
//   holds the lock holdMs more (as a long migration would), then commits and removes the marker.
import Database from 'better-sqlite3';
import { holdMigrationMarker } from '../migration-marker.js';
import { MIGRATIONS, schemaVersion } from '../sqlite-schema.js';

const [path, holdMs] = process.argv.slice(2);
if (!path || !holdMs) throw new Error('usage: migrating-child.ts <db> <holdMs>');

const db = new Database(path);
db.exec('BEGIN IMMEDIATE');
const release = holdMigrationMarker(path);
const current = schemaVersion(db);
for (const migration of MIGRATIONS.filter((step) => step.version > current)) {
  db.exec(migration.sql);
  db.pragma(`user_version = ${migration.version}`);
}
process.stdout.write('migrating\n');
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(holdMs));
db.exec('COMMIT');
release();
db.close();
