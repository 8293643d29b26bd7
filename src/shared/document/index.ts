/** The saved format of a Hypernet Studio project: its schema, versions and migrations, and the load boundary. */
export * from './schema';
export * from './migrations';
export * from './load';
export * from './jsonSchema';
