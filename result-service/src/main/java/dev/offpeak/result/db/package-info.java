/** JDBC plumbing of result-service: pool, migrations, a thin helper. Plain SQL lives in the stores. */
package dev.offpeak.result.db;
